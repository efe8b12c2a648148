/**
 * Tests and benchmarks come from 127.0.0.1, so the server's per-address limits would count every
 * browser and client as one machine, and a test driving one seat hard would meet its seat's limit:
 * these settings turn them off unless a test sets them.
 */
export const LIMITS_OFF: Readonly<Record<string, string>> = Object.freeze({
  SEAT_RATE_LIMIT_PER_MIN: '0',
  RATE_LIMIT_PER_MIN: '0',
  READ_RATE_LIMIT_PER_MIN: '0',
  ROOM_CREATIONS_PER_HOUR: '0',
  ROOMS_PER_ADDRESS: '100000',
  STREAMS_PER_ADDRESS: '100000',
});
