/**
 * One student's tile on the wall: their live screen or what stands in for it, their name and
 * state, and the hover zoom that grows it inside the wall. Also the words for each state, shared
 * with the roster and the full view.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { MemberView, TabView } from '../../shared/protocol.ts';
import type { MediaLayer, Screen } from '../media/media.ts';
import { useTileVisibility } from '../media/tile-visibility.ts';
import type { StudentStatus } from '../state/session.ts';
import { hoverZoom, type HoverZoom } from '../state/wall-layout.ts';
import { tabSite } from '../state/tabs.ts';

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
export const NO_ROUTE_CAUSE =
  'This network keeps the two devices apart and the server’s relay cannot carry the screen: ask the administrator to allow UDP between devices, or to set up the relay or TURN.';

/** How long the pointer rests on a tile before it zooms. */
const HOVER_ZOOM_MS = 300;
interface TileProps {
  member: MemberView;
  screen: Screen;
  status: TileStatus;
  focused: boolean;
  handRaised: boolean;
  /** The active tab their companion extension reports, if it does. */
  tab: TabView | null;
  media: MediaLayer | null;
  /** Another student's full view hides this tile. */
  covered: boolean;
  grid: { current: HTMLElement | null };
  onOpen: () => void;
  onHover: (on: boolean) => void;
}

export function Tile({
  member,
  screen,
  status,
  focused,
  handRaised,
  tab,
  media,
  covered,
  grid,
  onOpen,
  onHover,
}: TileProps) {
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
        {tab && (
          <span class="tab-now" title={tab.title ? `${tab.title}\n${tab.url}` : tab.url}>
            <span class="visually-hidden">Active tab: </span>
            <span class="site">{tabSite(tab)}</span>
            {tab.title && <span class="title"> · {tab.title}</span>}
          </span>
        )}
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

export function placeholderText(status: TileStatus): string {
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

/** A muted, inline, autoplaying video, as tablets need to play without a tap. */
export function Video({ stream }: { stream: MediaStream }) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    if (ref.current && ref.current.srcObject !== stream) ref.current.srcObject = stream;
  }, [stream]);
  return <video ref={ref} autoplay muted playsInline />;
}
