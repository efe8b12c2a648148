/**
 * The full view of one student's screen: steps through students (buttons, arrow keys, swipe),
 * saves a picture of the screen, and gives focus back to the tile it came from when it closes.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { MemberView, TabView } from '../../shared/protocol.ts';
import type { Screen } from '../media/media.ts';
import { activeTab, tabSite } from '../state/tabs.ts';
import { NO_ROUTE_CAUSE, STATUS_TEXT, Video, placeholderText, type TileStatus } from './Tile.tsx';

/** A horizontal swipe at least this long in the full view goes to the next or previous student. */
const SWIPE_MIN_PX = 60;

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
  /** Their open tabs, when their companion extension reports them. */
  tabs: readonly TabView[] | undefined;
  /** Asks the student's extension to close a tab; resolves with an error to show, or null. */
  onTabClose: (tabId: number) => Promise<string | null>;
}

/**
 * The full view, as a modal <dialog>: showModal() makes the wall behind it inert (focus cannot
 * leave the dialog, screen readers see only it) and turns Escape into a `cancel` event. On close,
 * focus returns to the tile of the student last shown.
 */
export function ZoomView(props: ZoomViewProps) {
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
      {props.tabs && (
        <TabList key={props.member.id} name={props.member.name} tabs={props.tabs} onTabClose={props.onTabClose} />
      )}
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

/**
 * Every tab the student has open, the active ones marked; addresses are text, never links. Each tab
 * can be closed: the student's extension does it and the student is told; the list follows the
 * student's next report.
 */
function TabList(props: {
  name: string;
  tabs: readonly TabView[];
  onTabClose: (tabId: number) => Promise<string | null>;
}) {
  const { tabs } = props;
  const [status, setStatus] = useState('');
  const close = async (tab: TabView) => {
    const failed = await props.onTabClose(tab.id);
    setStatus(
      failed ?? `Asked ${props.name}’s browser to close “${tab.title || tabSite(tab)}”. ${props.name} is told.`,
    );
  };
  return (
    <details class="tab-list">
      <summary>
        Open tabs ({tabs.length}){activeTab(tabs) ? `: ${tabSite(activeTab(tabs)!)}` : ''}
      </summary>
      <ul aria-label="Open tabs">
        {tabs.map((tab) => (
          <li key={tab.id}>
            {tab.active && <span class="badge live">Active</span>} <span class="site">{tabSite(tab)}</span>
            {tab.title && <span> · {tab.title}</span>}
            <span class="muted-light url"> {tab.url}</span>{' '}
            <button type="button" onClick={() => void close(tab)}>
              Close<span class="visually-hidden"> tab “{tab.title || tabSite(tab)}”</span>
            </button>
          </li>
        ))}
      </ul>
      <p class="muted" role="status">
        {status}
      </p>
    </details>
  );
}
