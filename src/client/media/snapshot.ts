/**
 * A picture of a student's screen as this supervisor's browser decoded it: the current frame of
 * the stream drawn into a canvas, as PNG. Nothing is uploaded; the caller saves it on this device.
 */
import { THUMBNAIL_MAX_WIDTH_PX } from '../../shared/protocol.ts';

/** How long to wait for full-quality frames (asked for with the zoom) before taking what there is. */
export const FULL_QUALITY_WAIT_MS = 3000;

/**
 * The frame showing now, once frames wider than a thumbnail arrive or `waitMs` has passed (a
 * small screen never sends wider ones). Rejects when the stream has no picture at all.
 */
export async function grabFrame(stream: MediaStream, waitMs = FULL_QUALITY_WAIT_MS): Promise<Blob> {
  const video = document.createElement('video');
  video.muted = true;
  video.playsInline = true;
  video.srcObject = stream;
  try {
    await video.play();
    const deadline = performance.now() + waitMs;
    while (video.videoWidth <= THUMBNAIL_MAX_WIDTH_PX && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    // One more decoded frame, so the picture is the newest rather than the first one handed over.
    await new Promise<void>((resolve) => {
      if (typeof video.requestVideoFrameCallback !== 'function') return resolve();
      const timer = setTimeout(resolve, 500);
      video.requestVideoFrameCallback(() => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (video.videoWidth === 0 || video.videoHeight === 0) throw new Error('no picture');
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    canvas.getContext('2d')!.drawImage(video, 0, 0);
    return await new Promise<Blob>((resolve, reject) =>
      canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error('no picture'))), 'image/png'),
    );
  } finally {
    video.pause();
    video.srcObject = null;
  }
}
