/**
 * The screen a teacher shows to the class, as a student sees it: a named viewer with a Fullscreen
 * button, or, for the student whose screen it is, a plain notice. It renders and reports whether its
 * viewer shows the stream (`onWatching`); it never places or answers a call.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { PresentationView } from '../../shared/protocol.ts';

/** What the shown student reads: their screen goes to the whole class, not only the teachers. */
export const SHOWN_TO_CLASS_TEXT = 'Your screen is being shown to the class';

/** The viewer (or, when it is the student's own screen, the notice saying so). */
export function ClassScreen(props: {
  presentation: PresentationView;
  you: string;
  stream: MediaStream | null;
  /** Whether the viewer shows `stream` now (reported to the media layer, see `watchPresentation`). */
  onWatching?: (on: boolean) => void;
}) {
  const { presentation, stream, onWatching } = props;
  const box = useRef<HTMLElement>(null);
  const video = useRef<HTMLVideoElement>(null);
  const [full, setFull] = useState(false);
  // Until its first frame: the relay's standing call has a stream long before anything is shown on it.
  const [showing, setShowing] = useState(false);
  useEffect(() => {
    if (video.current && video.current.srcObject !== stream) video.current.srcObject = stream;
    onWatching?.(video.current !== null && stream !== null);
    return () => onWatching?.(false);
  }, [stream]);
  useEffect(() => {
    const onChange = () => setFull(document.fullscreenElement !== null && document.fullscreenElement === box.current);
    document.addEventListener('fullscreenchange', onChange);
    return () => document.removeEventListener('fullscreenchange', onChange);
  }, []);
  if (presentation.studentId === props.you) {
    return (
      <p class="alert shown-notice" role="status">
        {SHOWN_TO_CLASS_TEXT} by {presentation.presenterName}.
      </p>
    );
  }
  const title =
    presentation.source === 'supervisor'
      ? `${presentation.name}’s screen`
      : `${presentation.name}’s screen, shown by ${presentation.presenterName}`;
  const toggle = () => {
    if (document.fullscreenElement) void document.exitFullscreen().catch(() => undefined);
    else void box.current?.requestFullscreen().catch(() => undefined);
  };
  return (
    <section ref={box} class="card class-screen" aria-labelledby="class-screen-heading">
      <div class="row class-screen-head">
        <h2 id="class-screen-heading">{title}</h2>
        {document.fullscreenEnabled && (
          <button type="button" onClick={toggle}>
            {full ? 'Leave full screen' : 'Fullscreen'}
          </button>
        )}
      </div>
      <video
        ref={video}
        class="class-screen-video"
        autoplay
        muted
        playsInline
        aria-label={title}
        onLoadedData={() => setShowing(true)}
      />
      {!showing && <p class="muted">Connecting to the screen…</p>}
    </section>
  );
}
