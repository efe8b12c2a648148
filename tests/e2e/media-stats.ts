/**
 * What crossed the wire, read from the browsers' own WebRTC stats: bytes a student sent, bytes and
 * frames a supervisor's tile received; and a tab hidden as a switch of tab would. Test and
 * benchmark instrumentation only.
 */
import type { Page } from '@playwright/test';

/** An init script keeping every RTCPeerConnection a page makes reachable for its stats. */
export const TRACK_PEER_CONNECTIONS = `
  window.__pcs = [];
  const Original = window.RTCPeerConnection;
  window.RTCPeerConnection = class extends Original {
    constructor(config) { super(config); window.__pcs.push(this); }
  };
`;

/** Video bytes this page has sent so far, over all its connections. */
export async function videoBytesSent(page: Page): Promise<number> {
  return page.evaluate(`(async () => {
    let bytes = 0;
    for (const pc of window.__pcs) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((r) => {
        if (r.type === 'outbound-rtp' && r.kind === 'video') bytes += r.bytesSent || 0;
      });
    }
    return bytes;
  })()`);
}

/** How many of this page's open connections have sent video: one per peer it uploads a screen to. */
export async function videoSendingConnections(page: Page): Promise<number> {
  return page.evaluate(`(async () => {
    let sending = 0;
    for (const pc of window.__pcs) {
      if (pc.connectionState === 'closed') continue;
      let bytes = 0;
      (await pc.getStats()).forEach((r) => {
        if (r.type === 'outbound-rtp' && r.kind === 'video') bytes += r.bytesSent || 0;
      });
      if (bytes > 0) sending++;
    }
    return sending;
  })()`);
}

/** Inbound video of the connection feeding one student's tile: bytes, frames decoded, keyframes decoded. */
export async function tileInbound(
  page: Page,
  name: string,
): Promise<{ bytes: number; frames: number; keyFrames: number }> {
  return page.evaluate(`(async () => {
    const figure = [...document.querySelectorAll('figure')].find((f) => f.getAttribute('aria-label').startsWith(${JSON.stringify(`${name}:`)}));
    const track = figure?.querySelector('video')?.srcObject?.getVideoTracks()[0];
    const pc = track && window.__pcs.find((c) => c.getReceivers().some((r) => r.track === track));
    const out = { bytes: 0, frames: 0, keyFrames: 0 };
    if (!pc) return out;
    (await pc.getStats()).forEach((r) => {
      if (r.type === 'inbound-rtp' && r.kind === 'video' && r.trackIdentifier === track.id) {
        out.bytes += r.bytesReceived || 0;
        out.frames += r.framesDecoded || 0;
        out.keyFrames += r.keyFramesDecoded || 0;
      }
    });
    return out;
  })()`);
}

/**
 * How many of the calls this page placed are open (not closed): a call it answered, such as the
 * relay's standing call to a student, is not one.
 */
export async function openCallsPlaced(page: Page): Promise<number> {
  return page.evaluate(
    `window.__pcs.filter((pc) => pc.connectionState !== 'closed' && pc.localDescription?.type === 'offer').length`,
  );
}

/** How many of the page's connections a test (`filter`, page code) picks it ever made, and how many are connected now. */
async function connectionCounts(page: Page, filter: string): Promise<{ made: number; connected: number }> {
  return page.evaluate(`(() => {
    const picked = window.__pcs.filter(${filter});
    return { made: picked.length, connected: picked.filter((pc) => pc.connectionState === 'connected').length };
  })()`);
}

/**
 * The page's connections that only receive video (a student's: the screen shown to the class): how
 * many it ever answered (the app's warm-up negotiation, which answers nothing, is not one), and how
 * many are connected now.
 */
export function receiveOnlyConnections(page: Page): Promise<{ made: number; connected: number }> {
  return connectionCounts(
    page,
    `(pc) => pc.localDescription?.type === 'answer' && /m=video[^]*a=recvonly/.test(pc.localDescription.sdp)`,
  );
}

/** The calls this page placed (it made the offer): how many ever, and how many are connected now. */
export function placedCalls(page: Page): Promise<{ made: number; connected: number }> {
  return connectionCounts(page, `(pc) => pc.localDescription?.type === 'offer'`);
}

/** The addresses (local, remote) of the path each open connection of the page sends on. */
async function pathsInUse(page: Page): Promise<[string, string][]> {
  return page.evaluate(`(async () => {
    const paths = [];
    for (const pc of window.__pcs) {
      if (pc.connectionState === 'closed') continue;
      const stats = [...(await pc.getStats()).values()];
      const byId = (id) => stats.find((r) => r.id === id);
      const pair = byId(stats.find((r) => r.type === 'transport')?.selectedCandidatePairId);
      const at = (c) => c && c.address + ':' + c.port;
      if (pair) paths.push([at(byId(pair.localCandidateId)), at(byId(pair.remoteCandidateId))]);
    }
    return paths;
  })()`);
}

/** How many open connections run straight between the two pages (one's local address is the other's remote one). */
export async function connectionsBetween(a: Page, b: Page): Promise<number> {
  const [fromA, fromB] = await Promise.all([pathsInUse(a), pathsInUse(b)]);
  return fromA.filter(([local, remote]) => fromB.some(([l, r]) => l === remote && r === local)).length;
}

/** Video bytes received so far over all of this page's connections. */
export async function videoBytesReceived(page: Page): Promise<number> {
  return page.evaluate(`(async () => {
    let bytes = 0;
    for (const pc of window.__pcs) {
      if (pc.connectionState === 'closed') continue;
      (await pc.getStats()).forEach((r) => {
        if (r.type === 'inbound-rtp' && r.kind === 'video') bytes += r.bytesReceived || 0;
      });
    }
    return bytes;
  })()`);
}

/** How much `read` grew over `ms`. */
export async function growthOver(page: Page, ms: number, read: () => Promise<number>): Promise<number> {
  const before = await read();
  await page.waitForTimeout(ms);
  return (await read()) - before;
}

/**
 * Hides or shows the page as a switch of tab does. Headless Chromium keeps every page visible
 * (another tab brought to front, a minimized window, a frozen lifecycle all leave visibilityState
 * "visible"), so the document's own state is set and its event fired, as the browser would.
 */
export async function setTabHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate(`(() => {
    const hidden = ${hidden};
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    document.dispatchEvent(new Event('visibilitychange'));
  })()`);
}

/** The codec (MIME type) of the video feeding one student's tile, from the receiving connection's stats. */
export async function tileCodec(page: Page, name: string): Promise<string | null> {
  return page.evaluate(`(async () => {
    const figure = [...document.querySelectorAll('figure')].find((f) => f.getAttribute('aria-label').startsWith(${JSON.stringify(`${name}:`)}));
    const track = figure?.querySelector('video')?.srcObject?.getVideoTracks()[0];
    const pc = track && window.__pcs.find((c) => c.getReceivers().some((r) => r.track === track));
    if (!pc) return null;
    const stats = [...(await pc.getStats()).values()];
    const inbound = stats.find((r) => r.type === 'inbound-rtp' && r.kind === 'video' && r.trackIdentifier === track.id);
    return stats.find((r) => r.type === 'codec' && r.id === inbound?.codecId)?.mimeType ?? null;
  })()`);
}

/** The codecs (MIME types) this page is sending video in right now, one per connection that sends. */
export async function sendingCodecs(page: Page): Promise<string[]> {
  return page.evaluate(`(async () => {
    const codecs = [];
    for (const pc of window.__pcs) {
      if (pc.connectionState !== 'connected') continue;
      const stats = [...(await pc.getStats()).values()];
      for (const out of stats.filter((r) => r.type === 'outbound-rtp' && r.kind === 'video' && r.bytesSent > 0)) {
        codecs.push(stats.find((r) => r.type === 'codec' && r.id === out.codecId)?.mimeType ?? 'unknown');
      }
    }
    return codecs.sort();
  })()`);
}
