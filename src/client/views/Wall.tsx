/**
 * The wall: one tile per student with their live screen. Hovering a tile with a mouse enlarges it
 * and asks for full quality; clicking or tapping opens the full view (Escape or Close to return).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { MemberView } from '../../shared/protocol.ts';
import type { MediaLayer, Screen } from '../media/media.ts';
import { useTileVisibility } from '../media/tile-visibility.ts';
import type { RoomController } from '../room/room-controller.ts';
import type { StudentStatus } from '../state/session.ts';

/** A tile's state: the roster's, refined by whether frames are actually arriving. */
export type TileStatus = StudentStatus | 'connecting' | 'live';

/** Words for each state, shared by tiles and the roster. */
export const STATUS_TEXT: Record<TileStatus, string> = {
  waiting: 'Waiting',
  sharing: 'Sharing',
  connecting: 'Connecting…',
  live: 'Live',
  stopped: 'Stopped sharing',
  reconnecting: 'Reconnecting',
  left: 'Left',
};

/** How long the pointer rests on a tile before it zooms. */
const HOVER_ZOOM_MS = 300;

interface WallProps {
  controller: RoomController;
  roster: { member: MemberView; status: StudentStatus }[];
}

/** The grid of student tiles and, when one is opened, its full view. */
export function Wall({ controller, roster }: WallProps) {
  const [opened, setOpened] = useState<string | null>(null);
  const [hovered, setHovered] = useState<string | null>(null);
  const media = controller.media;
  const screenOf = (id: string): Screen => media?.screen(id) ?? { stream: null, state: 'none', surface: null };

  const focused = opened ?? hovered;
  useEffect(() => controller.focus(focused), [focused]);
  useEffect(() => () => controller.focus(null), []);

  if (roster.length === 0) return <p class="muted">Student screens appear here as students join.</p>;
  const openedEntry = roster.find((s) => s.member.id === opened);
  const columns = roster.length <= 1 ? 1 : roster.length <= 4 ? 2 : roster.length <= 9 ? 3 : 4;
  return (
    <>
      <div class="wall" style={`--tile-min: ${columns >= 4 ? 200 : columns === 3 ? 240 : 300}px`}>
        {roster.map(({ member, status }) => (
          <Tile
            key={member.id}
            member={member}
            screen={screenOf(member.id)}
            status={tileStatus(status, screenOf(member.id))}
            focused={focused === member.id}
            media={media}
            covered={opened !== null && opened !== member.id}
            onOpen={() => setOpened(member.id)}
            onHover={(on) => setHovered((current) => (on ? member.id : current === member.id ? null : current))}
          />
        ))}
      </div>
      {openedEntry && (
        <ZoomView
          member={openedEntry.member}
          screen={screenOf(openedEntry.member.id)}
          status={tileStatus(openedEntry.status, screenOf(openedEntry.member.id))}
          onClose={() => setOpened(null)}
        />
      )}
    </>
  );
}

function tileStatus(status: StudentStatus, screen: Screen): TileStatus {
  // Frames arriving are the truth: a student whose signalling is away (a server restart) still shows live.
  if (status === 'reconnecting' && screen.state === 'live') return 'live';
  if (status !== 'sharing') return status;
  return screen.state === 'live' ? 'live' : 'connecting';
}

interface TileProps {
  member: MemberView;
  screen: Screen;
  status: TileStatus;
  focused: boolean;
  media: MediaLayer | null;
  /** Another student's full view hides this tile. */
  covered: boolean;
  onOpen: () => void;
  onHover: (on: boolean) => void;
}

function Tile({ member, screen, status, focused, media, covered, onOpen, onHover }: TileProps) {
  const picture = useTileVisibility<HTMLButtonElement>(media, member.id, covered);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const enter = (event: PointerEvent) => {
    if (event.pointerType !== 'mouse') return;
    timer.current = setTimeout(() => onHover(true), HOVER_ZOOM_MS);
  };
  const leave = () => {
    clearTimeout(timer.current);
    onHover(false);
  };
  const showVideo = screen.stream && (status === 'live' || status === 'connecting');
  return (
    <figure
      class={`tile${focused ? ' focused' : ''}`}
      aria-label={`${member.name}: ${STATUS_TEXT[status]}`}
      onPointerEnter={enter}
      onPointerLeave={leave}
    >
      <button ref={picture} type="button" class="screen" onClick={onOpen} aria-label={`Open ${member.name}’s screen`}>
        {showVideo && <Video stream={screen.stream!} />}
        {status !== 'live' && <span class="placeholder">{placeholderText(status)}</span>}
      </button>
      <figcaption>
        <span>{member.name}</span>
        <span class={`badge ${status}`}>{STATUS_TEXT[status]}</span>
      </figcaption>
      {status === 'live' && screen.surface && screen.surface !== 'monitor' && (
        <span class="badge stopped" style="margin:0 0.75rem 0.5rem">
          Sharing a {screen.surface === 'window' ? 'window' : 'tab'}, not the whole screen
        </span>
      )}
    </figure>
  );
}

function placeholderText(status: TileStatus): string {
  switch (status) {
    case 'waiting':
      return 'Not sharing yet';
    case 'connecting':
    case 'sharing':
      return 'Connecting…';
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

/**
 * The full view, as a modal <dialog>: showModal() makes the wall behind it inert (focus cannot
 * leave the dialog, screen readers see only it) and turns Escape into a `cancel` event.
 */
function ZoomView(props: { member: MemberView; screen: Screen; status: TileStatus; onClose: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const previous = document.activeElement as HTMLElement | null;
    dialog.current?.showModal();
    return () => {
      dialog.current?.close();
      previous?.focus();
    };
  }, []);
  const onCancel = (event: Event) => {
    event.preventDefault();
    props.onClose();
  };
  return (
    <dialog ref={dialog} class="zoom" aria-label={`${props.member.name}’s screen`} onCancel={onCancel}>
      <div class="row" style="justify-content:space-between">
        <h2>
          {props.member.name} <span class={`badge ${props.status}`}>{STATUS_TEXT[props.status]}</span>
        </h2>
        <button type="button" onClick={props.onClose}>
          Close
        </button>
      </div>
      {props.screen.stream ? <Video stream={props.screen.stream} /> : <p>{placeholderText(props.status)}</p>}
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
