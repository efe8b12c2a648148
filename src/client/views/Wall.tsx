/**
 * The wall: one tile per student with their live screen, laid out so the whole class fits the
 * space it has (or pages or scrolls, as the teacher chooses), with a summary, a name filter, sort,
 * tile size and full screen. Hovering a tile with a mouse grows it inside the wall; clicking or
 * tapping opens the full view, which steps through students (buttons, arrow keys, swipe).
 * Each tile is one element with `data-student-id`, for code that watches what is on screen. The
 * tile itself is `Tile.tsx`, the full view `ZoomView.tsx`.
 */
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { pairRoute, type MemberView } from '../../shared/protocol.ts';
import type { Screen } from '../media/media.ts';
import type { RoomController } from '../room/room-controller.ts';
import {
  arrangeRoster,
  rosterSummary,
  self,
  type RosterEntry,
  type RosterSort,
  type Session,
  type StudentStatus,
} from '../state/session.ts';
import type { WallSettings } from '../state/storage.ts';
import { activeTab } from '../state/tabs.ts';
import { TILE_GAP_PX, wallLayout, type TileSize } from '../state/wall-layout.ts';
import { Tile, type TileStatus } from './Tile.tsx';
import { ZoomView } from './ZoomView.tsx';

/** Space kept free under the wall, so its last row never touches the window's edge. */
const BOTTOM_MARGIN_PX = 12;
interface WallProps {
  controller: RoomController;
  session: Session;
  roster: RosterEntry[];
  /** Students whose hand is up. */
  raisedHands: string[];
  settings: WallSettings;
  onSettingsChange: (patch: Partial<WallSettings>) => void;
}

/** The wall's controls, the grid of student tiles and, when one is opened, its full view. */
export function Wall({ controller, session, roster, raisedHands, settings, onSettingsChange }: WallProps) {
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
            tab={activeTab(session.tabs[entry.member.id])}
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
          tabs={session.tabs[shown[openedIndex]!.member.id]}
          onTabClose={(tabId) => controller.closeStudentTab(shown[openedIndex]!.member.id, tabId)}
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
