/**
 * The wall: one tile per student with their live screen, laid out so the whole class fits the
 * space it has (or pages or scrolls, as the teacher chooses), with a summary, a name filter, sort,
 * tile size and full screen. Hovering a tile with a mouse grows it inside the wall; clicking or
 * tapping opens the full view, which steps through students (buttons, arrow keys, swipe).
 * Each tile is one element with `data-student-id`, for code that watches what is on screen.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { pairRoute, type MemberView } from '../../shared/protocol.ts';
import type { MediaLayer, Screen } from '../media/media.ts';
import { useTileVisibility } from '../media/tile-visibility.ts';
import type { RoomController } from '../room/room-controller.ts';
import {
  arrangeRoster,
  rosterSummary,
  self,
  type RosterEntry,
  type RosterSort,
  type StudentStatus,
} from '../state/session.ts';
import type { WallSettings } from '../state/storage.ts';
import { TILE_GAP_PX, hoverZoom, wallLayout, type HoverZoom, type TileSize } from '../state/wall-layout.ts';

/** A tile's state: the roster's, refined by whether frames are arriving and by which route. */
export type TileStatus = StudentStatus | 'connecting' | 'rerouting' | 'no-route' | 'live';

/** Words for each state, shared by tiles and the roster. */
export const STATUS_TEXT: Record<TileStatus, string> = {
  waiting: 'Waiting',
  sharing: 'Sharing',
  connecting: 'Connecting…',
  rerouting: 'Trying another route…',
  'no-route': 'No route to this screen',
  live: 'Live',
  stopped: 'Stopped sharing',
  reconnecting: 'Reconnecting',
  left: 'Left',
};

/** The likely cause of a pair without a route, for whoever looks after the network. */
const NO_ROUTE_CAUSE =
  'This network keeps the two devices apart and the server’s relay cannot carry the screen: ask the administrator to allow UDP between devices, or to set up the relay or TURN.';

/** How long the pointer rests on a tile before it zooms. */
const HOVER_ZOOM_MS = 300;
/** Space kept free under the wall, so its last row never touches the window's edge. */
const BOTTOM_MARGIN_PX = 12;
/** A horizontal swipe at least this long in the full view goes to the next or previous student. */
const SWIPE_MIN_PX = 60;

interface WallProps {
  controller: RoomController;
  roster: RosterEntry[];
  /** Students whose hand is up. */
  raisedHands: string[];
  settings: WallSettings;
  onSettingsChange: (patch: Partial<WallSettings>) => void;
}

/** The wall's controls, the grid of student tiles and, when one is opened, its full view. */
export function Wall({ controller, roster, raisedHands, settings, onSettingsChange }: WallProps) {
  const [opened, setOpened] = useState<string | null>(null);
  const [hovered, setHovered] = useState<string | null>(null);
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<RosterSort>('joined');
  const [page, setPage] = useState(0);
  const area = useRef<HTMLElement>(null);
  const grid = useRef<HTMLDivElement>(null);
  const space = useWallSpace(area, grid);
  const fullscreen = useFullscreen(area);
  const media = controller.media;
  const screenOf = (id: string): Screen => media?.screen(id) ?? { stream: null, state: 'none', surface: null };
  const { session } = controller.state;
  const routes = session.room?.routes ?? null;
  const selfId = self(session)?.id ?? null;
  const statusOf = ({ member, status }: { member: MemberView; status: StudentStatus }) =>
    tileStatus(status, screenOf(member.id), routes && selfId ? pairRoute(routes, member.id, selfId) : 'usual');

  const focused = opened ?? hovered;
  useEffect(() => controller.focus(focused), [focused]);
  useEffect(() => () => controller.focus(null), []);

  const shown = arrangeRoster(roster, filter, sort);
  const layout = wallLayout({ count: shown.length, ...space, size: settings.size, overflow: settings.overflow });
  const currentPage = Math.min(page, layout.pages - 1);
  const onPage = shown.slice(currentPage * layout.perPage, (currentPage + 1) * layout.perPage);
  const openedIndex = shown.findIndex((s) => s.member.id === opened);
  const step = (delta: number) => {
    if (shown.length === 0) return;
    const next = shown[(openedIndex + delta + shown.length) % shown.length]!;
    setOpened(next.member.id);
    // Keep the page in step, so closing the full view returns to a tile that is on screen.
    const index = shown.indexOf(next);
    if (layout.pages > 1) setPage(Math.floor(index / layout.perPage));
  };

  return (
    <section ref={area} class={`wall-area${fullscreen.active ? ' fullscreen' : ''}`} aria-labelledby="wall-heading">
      <h2 id="wall-heading" class="visually-hidden">
        Student screens
      </h2>
      <div class="wall-toolbar">
        <p class="wall-summary" aria-live="polite">
          {rosterSummary(roster)}
        </p>
        <div class="row">
          <label class="inline-field">
            <span class="visually-hidden">Find a student</span>
            <input
              type="search"
              value={filter}
              placeholder="Find a name"
              onInput={(e) => {
                setFilter(e.currentTarget.value);
                setPage(0);
              }}
            />
          </label>
          <label class="inline-field">
            <span class="visually-hidden">Order of the tiles</span>
            <select value={sort} onChange={(e) => setSort(e.currentTarget.value as RosterSort)}>
              <option value="joined">As they joined</option>
              <option value="name">By name</option>
              <option value="problems">Problems first</option>
            </select>
          </label>
          <details class="wall-settings">
            <summary>Wall settings</summary>
            <div class="wall-settings-panel">
              <label class="inline-field">
                <span>Tile size</span>
                <select
                  value={settings.size}
                  onChange={(e) => onSettingsChange({ size: e.currentTarget.value as TileSize })}
                >
                  <option value="fit">Fit everyone</option>
                  <option value="small">Small</option>
                  <option value="medium">Medium</option>
                  <option value="large">Large</option>
                </select>
              </label>
              <label class="inline-field">
                <span>When the class does not fit</span>
                <select
                  value={settings.overflow}
                  onChange={(e) => onSettingsChange({ overflow: e.currentTarget.value as WallSettings['overflow'] })}
                >
                  <option value="pages">Show pages</option>
                  <option value="scroll">Scroll</option>
                </select>
              </label>
              <label class="choice">
                <input
                  type="checkbox"
                  checked={settings.stopSound}
                  onChange={(e) => onSettingsChange({ stopSound: e.currentTarget.checked })}
                />
                Play a sound when a student stops sharing
              </label>
              <label class="choice">
                <input
                  type="checkbox"
                  checked={settings.handSound}
                  onChange={(e) => onSettingsChange({ handSound: e.currentTarget.checked })}
                />
                Play a sound when a student raises their hand
              </label>
            </div>
          </details>
          {fullscreen.supported && (
            <button type="button" onClick={fullscreen.toggle}>
              {fullscreen.active ? 'Leave full screen' : 'Full screen'}
            </button>
          )}
        </div>
      </div>
      {layout.pages > 1 && (
        <nav class="row wall-pages" aria-label="Pages of the wall">
          <button type="button" disabled={currentPage === 0} onClick={() => setPage(currentPage - 1)}>
            Previous page
          </button>
          <span>
            Page {currentPage + 1} of {layout.pages}
          </span>
          <button type="button" disabled={currentPage >= layout.pages - 1} onClick={() => setPage(currentPage + 1)}>
            Next page
          </button>
        </nav>
      )}
      {roster.length === 0 ? (
        <p class="muted">Student screens appear here as students join.</p>
      ) : shown.length === 0 ? (
        <p class="muted">No student’s name contains “{filter}”.</p>
      ) : null}
      <div
        ref={grid}
        class="wall"
        style={`grid-template-columns: repeat(${layout.columns}, ${layout.tileWidthPx}px); gap: ${TILE_GAP_PX}px`}
      >
        {onPage.map((entry) => (
          <Tile
            key={entry.member.id}
            member={entry.member}
            screen={screenOf(entry.member.id)}
            status={statusOf(entry)}
            focused={focused === entry.member.id}
            handRaised={raisedHands.includes(entry.member.id)}
            media={media}
            covered={opened !== null && opened !== entry.member.id}
            grid={grid}
            onOpen={() => setOpened(entry.member.id)}
            onHover={(on) =>
              setHovered((current) => (on ? entry.member.id : current === entry.member.id ? null : current))
            }
          />
        ))}
      </div>
      {openedIndex >= 0 && (
        <ZoomView
          member={shown[openedIndex]!.member}
          position={`${openedIndex + 1} of ${shown.length}`}
          screen={screenOf(shown[openedIndex]!.member.id)}
          status={statusOf(shown[openedIndex]!)}
          onStep={step}
          onClose={() => setOpened(null)}
          onSnapshotSave={() => controller.saveSnapshot(shown[openedIndex]!.member.id, shown[openedIndex]!.member.name)}
        />
      )}
    </section>
  );
}

/** The width the wall has, and the height it may take before the page would scroll. */
function useWallSpace(area: { current: HTMLElement | null }, grid: { current: HTMLElement | null }) {
  const [space, setSpace] = useState({ widthPx: 960, heightPx: 540 });
  const [tick, setTick] = useState(0);
  useLayoutEffect(() => {
    const el = grid.current;
    if (!el) return;
    const rect = el.getBoundingClientRect();
    // In full screen the wall's area is the viewport; otherwise measure from the top of the page.
    const top = document.fullscreenElement ? rect.top : rect.top + scrollY;
    const next = {
      widthPx: Math.floor(el.clientWidth),
      heightPx: Math.floor(innerHeight - top - BOTTOM_MARGIN_PX),
    };
    if (next.widthPx !== space.widthPx || next.heightPx !== space.heightPx) setSpace(next);
  });
  useEffect(() => {
    const remeasure = () => setTick((n) => n + 1);
    const observer = new ResizeObserver(remeasure);
    if (area.current) observer.observe(area.current);
    addEventListener('resize', remeasure);
    document.addEventListener('fullscreenchange', remeasure);
    return () => {
      observer.disconnect();
      removeEventListener('resize', remeasure);
      document.removeEventListener('fullscreenchange', remeasure);
    };
  }, []);
  void tick;
  return space;
}

/** The Fullscreen API for the wall: Escape (the browser's own) leaves it. */
function useFullscreen(area: { current: HTMLElement | null }) {
  const [active, setActive] = useState(false);
  useEffect(() => {
    const onChange = () =>
      setActive(document.fullscreenElement !== null && document.fullscreenElement === area.current);
    document.addEventListener('fullscreenchange', onChange);
    return () => document.removeEventListener('fullscreenchange', onChange);
  }, []);
  const toggle = () => {
    if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
    else void area.current?.requestFullscreen().catch(() => undefined);
  };
  return { active, supported: typeof document !== 'undefined' && document.fullscreenEnabled, toggle };
}

function tileStatus(status: StudentStatus, screen: Screen, route: ReturnType<typeof pairRoute>): TileStatus {
  // Frames arriving are the truth: a student whose signalling is away (a server restart) still shows live.
  if (status === 'reconnecting' && screen.state === 'live') return 'live';
  if (status !== 'sharing') return status;
  if (screen.state === 'live') return 'live';
  // Not live yet: say what the routes are doing about it, once the direct attempt has failed.
  return route === 'none' ? 'no-route' : route === 'rerouted' ? 'rerouting' : 'connecting';
}

interface TileProps {
  member: MemberView;
  screen: Screen;
  status: TileStatus;
  focused: boolean;
  handRaised: boolean;
  media: MediaLayer | null;
  /** Another student's full view hides this tile. */
  covered: boolean;
  grid: { current: HTMLElement | null };
  onOpen: () => void;
  onHover: (on: boolean) => void;
}

function Tile({ member, screen, status, focused, handRaised, media, covered, grid, onOpen, onHover }: TileProps) {
  const picture = useTileVisibility<HTMLButtonElement>(media, member.id, covered);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const [zoom, setZoom] = useState<HoverZoom | null>(null);
  const enter = (event: PointerEvent) => {
    // Touch and pen have no hover: a tap opens the full view instead.
    if (event.pointerType !== 'mouse') return;
    const tile = event.currentTarget as HTMLElement;
    timer.current = setTimeout(() => {
      const bounds = visibleBox(grid.current);
      if (bounds) setZoom(hoverZoom(boxOf(tile.getBoundingClientRect()), bounds));
      onHover(true);
    }, HOVER_ZOOM_MS);
  };
  const leave = () => {
    clearTimeout(timer.current);
    setZoom(null);
    onHover(false);
  };
  useEffect(() => () => clearTimeout(timer.current), []);
  const grown = focused && zoom && zoom.scale > 1;
  const style = grown
    ? `transform: scale(${zoom.scale}); transform-origin: ${zoom.originXPx}px ${zoom.originYPx}px`
    : undefined;
  const showVideo = screen.stream && (status === 'live' || status === 'connecting' || status === 'rerouting');
  return (
    <figure
      class={`tile${focused ? ' focused' : ''}${grown ? ' grown' : ''}`}
      data-student-id={member.id}
      aria-label={`${member.name}: ${STATUS_TEXT[status]}`}
      style={style}
      onPointerEnter={enter}
      onPointerLeave={leave}
    >
      <button ref={picture} type="button" class="screen" onClick={onOpen} aria-label={`Open ${member.name}’s screen`}>
        {showVideo && <Video stream={screen.stream!} />}
        {status !== 'live' && (
          <span class={`placeholder ${status}`}>
            {placeholderText(status)}
            {status === 'no-route' && <small>{NO_ROUTE_CAUSE}</small>}
          </span>
        )}
        {showVideo && (
          <span class={`badge ${status}`} aria-hidden="true">
            {STATUS_TEXT[status]}
          </span>
        )}
        {status === 'live' && screen.surface && screen.surface !== 'monitor' && (
          <span class="badge stopped surface" aria-hidden="true">
            {screen.surface === 'window' ? 'A window only' : 'A tab only'}
          </span>
        )}
      </button>
      <figcaption>
        <span class="name" title={member.name}>
          {member.name}
        </span>
        {handRaised && <span class="badge hand">Hand raised</span>}
      </figcaption>
    </figure>
  );
}

function boxOf(rect: DOMRect) {
  return { left: rect.left, top: rect.top, width: rect.width, height: rect.height };
}

/** The part of the wall's grid inside the viewport: a hovered tile grows only within it. */
function visibleBox(el: HTMLElement | null) {
  if (!el) return null;
  const rect = el.getBoundingClientRect();
  const left = Math.max(rect.left, 0);
  const top = Math.max(rect.top, 0);
  const right = Math.min(rect.right, document.documentElement.clientWidth);
  const bottom = Math.min(rect.bottom, innerHeight);
  return right > left && bottom > top ? { left, top, width: right - left, height: bottom - top } : null;
}

function placeholderText(status: TileStatus): string {
  switch (status) {
    case 'waiting':
      return 'Not sharing yet';
    case 'connecting':
    case 'sharing':
      return 'Connecting…';
    case 'rerouting':
      return 'Trying another route…';
    case 'no-route':
      return 'No route to this screen';
    case 'stopped':
      return 'Stopped sharing';
    case 'reconnecting':
      return 'Reconnecting…';
    case 'left':
      return 'Left the room';
    case 'live':
      return '';
  }
}

interface ZoomViewProps {
  member: MemberView;
  /** "3 of 25". */
  position: string;
  screen: Screen;
  status: TileStatus;
  /** Go to the next (+1) or previous (−1) student. */
  onStep: (delta: number) => void;
  onClose: () => void;
  /** Saves a picture of this screen on this device; resolves with an error to show, or null. */
  onSnapshotSave: () => Promise<string | null>;
}

/**
 * The full view, as a modal <dialog>: showModal() makes the wall behind it inert (focus cannot
 * leave the dialog, screen readers see only it) and turns Escape into a `cancel` event. On close,
 * focus returns to the tile of the student last shown.
 */
function ZoomView(props: ZoomViewProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const shownId = useRef(props.member.id);
  shownId.current = props.member.id;
  const swipeStart = useRef<{ x: number; y: number } | null>(null);
  const [snapshot, setSnapshot] = useState<{ busy: boolean; text: string }>({ busy: false, text: '' });
  // A result belongs to the student it was taken of.
  useEffect(() => setSnapshot({ busy: false, text: '' }), [props.member.id]);
  const save = async () => {
    setSnapshot({ busy: true, text: 'Saving a picture…' });
    const failed = await props.onSnapshotSave();
    setSnapshot({ busy: false, text: failed ?? `Picture saved. ${props.member.name} was told.` });
  };
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    dialog.current?.showModal();
    return () => {
      dialog.current?.close();
      const tile = document.querySelector<HTMLElement>(`[data-student-id="${CSS.escape(shownId.current)}"] .screen`);
      (tile ?? previous)?.focus();
    };
  }, []);
  const onCancel = (event: Event) => {
    event.preventDefault();
    props.onClose();
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if ((event.target as HTMLElement).closest('input, select, textarea')) return;
    if (event.key === 'ArrowRight') props.onStep(1);
    else if (event.key === 'ArrowLeft') props.onStep(-1);
    else return;
    event.preventDefault();
  };
  const onPointerDown = (event: PointerEvent) => {
    swipeStart.current = { x: event.clientX, y: event.clientY };
  };
  const onPointerUp = (event: PointerEvent) => {
    const start = swipeStart.current;
    swipeStart.current = null;
    if (!start) return;
    const dx = event.clientX - start.x;
    const dy = event.clientY - start.y;
    if (Math.abs(dx) >= SWIPE_MIN_PX && Math.abs(dx) > Math.abs(dy) * 1.5) props.onStep(dx < 0 ? 1 : -1);
  };
  return (
    <dialog
      ref={dialog}
      class="zoom"
      aria-label={`${props.member.name}’s screen`}
      onCancel={onCancel}
      onKeyDown={onKeyDown}
      onPointerDown={onPointerDown}
      onPointerUp={onPointerUp}
    >
      <div class="row zoom-head">
        <h2>
          {props.member.name} <span class={`badge ${props.status}`}>{STATUS_TEXT[props.status]}</span>{' '}
          <span class="muted-light">{props.position}</span>
        </h2>
        <span class="snapshot-status" role="status">
          {snapshot.text}
        </span>
        <div class="row">
          <button type="button" onClick={() => props.onStep(-1)}>
            ← Previous<span class="visually-hidden"> student</span>
          </button>
          <button type="button" onClick={() => props.onStep(1)}>
            Next<span class="visually-hidden"> student</span> →
          </button>
          {props.screen.stream && (
            <button type="button" disabled={snapshot.busy} onClick={() => void save()}>
              Save picture
            </button>
          )}
          <button type="button" onClick={props.onClose}>
            Close
          </button>
        </div>
      </div>
      {props.screen.stream ? (
        <Video stream={props.screen.stream} />
      ) : (
        <p class="zoom-placeholder">
          {placeholderText(props.status)}
          {props.status === 'no-route' && <small>{NO_ROUTE_CAUSE}</small>}
        </p>
      )}
    </dialog>
  );
}

/** A muted, inline, autoplaying video, as tablets need to play without a tap. */
function Video({ stream }: { stream: MediaStream }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== stream) ref.current.srcObject = stream;
  }, [stream]);
  return <video ref={ref} autoplay muted playsInline />;
}
