/**
 * The hook a wall tile calls so cost follows what the teacher sees: it watches the tile's picture
 * (on screen or scrolled away, its size) and reports it to the media layer. Reports only; it must
 * not decide quality (that is quality.ts, on the student's side).
 */
import type { RefObject } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { MediaLayer } from './media.ts';

/**
 * Reports how the element given the returned ref shows `studentId`'s screen: whether any of it is
 * on screen and not `covered` (by the full view of another student), and its size in device pixels.
 */
export function useTileVisibility<T extends Element>(
  media: MediaLayer | null,
  studentId: string,
  covered: boolean,
): RefObject<T | null> {
  const element = useRef<T | null>(null);
  const coveredNow = useRef(covered);
  const report = useRef<(() => void) | null>(null);
  useEffect(() => {
    const target = element.current;
    if (!media || !target) return;
    let onScreen = true;
    let box = target.getBoundingClientRect();
    report.current = () =>
      media.setTileView(studentId, {
        visible: onScreen && !coveredNow.current,
        widthPx: Math.round(box.width * devicePixelRatio),
        heightPx: Math.round(box.height * devicePixelRatio),
      });
    const intersection = new IntersectionObserver(([entry]) => {
      onScreen = entry?.isIntersecting ?? onScreen;
      report.current?.();
    });
    const resize = new ResizeObserver(([entry]) => {
      if (entry) box = entry.contentRect;
      report.current?.();
    });
    intersection.observe(target);
    resize.observe(target);
    return () => {
      intersection.disconnect();
      resize.disconnect();
      report.current = null;
      media.setTileView(studentId, null);
    };
  }, [media, studentId]);
  useEffect(() => {
    coveredNow.current = covered;
    report.current?.();
  }, [covered]);
  return element;
}
