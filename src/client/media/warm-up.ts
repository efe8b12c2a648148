/**
 * A page's first call is slow to negotiate: its first offer, and the other side's first answer,
 * each take tens of milliseconds more than later ones while the browser sets its WebRTC machinery
 * up (a first share's offer-to-answer steps took ~220 ms against ~75 ms later on loopback:
 * `bench/results/first-frame.json`, the first run). Every student's first share of a lesson pays it
 * on both sides, so each page negotiates one throwaway call with itself as it enters a room.
 *
 * Nothing leaves the device: neither connection sets a description of its own, so no address is
 * gathered and no packet is sent; both are closed at once.
 */
let warmed = false;

/** Negotiates (once per page) an offer and its answer between two connections that never connect. */
export function warmUpCalls(): void {
  if (warmed || typeof RTCPeerConnection === 'undefined') return;
  warmed = true;
  const caller = new RTCPeerConnection();
  const answerer = new RTCPeerConnection();
  caller.addTransceiver('video', { direction: 'sendonly' });
  caller.createDataChannel('warm-up');
  void (async () => {
    try {
      await answerer.setRemoteDescription(await caller.createOffer());
      await answerer.createAnswer();
    } catch {
      // Only a head start: a browser that refuses any of it negotiates its first real call as before.
    } finally {
      caller.close();
      answerer.close();
    }
  })();
}
