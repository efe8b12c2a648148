/**
 * Milestones of the relay's calls, for benchmarks: where a call's set-up time goes (queued, offered,
 * answered, ICE, DTLS, channel, first packet, keyframes asked for and arrived). Written as JSON lines
 * to the file RELAY_TRACE_FILE names (the worker inherits the server's environment), and nowhere at
 * all without it: a few lines per call, never per packet.
 */
import { appendFileSync } from 'node:fs';

const file = process.env.RELAY_TRACE_FILE;

/** Whether milestones are being written. */
export const tracing = Boolean(file);

/** Writes one milestone (`at` is Date.now(), comparable with the browsers' clocks on this machine). */
export function trace(event: string, fields: Record<string, unknown>): void {
  if (!file) return;
  try {
    appendFileSync(file, `${JSON.stringify({ at: Date.now(), event, ...fields })}\n`);
  } catch {
    // A benchmark's aid: never a reason for the relay to stop.
  }
}
