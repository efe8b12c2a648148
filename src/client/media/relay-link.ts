/**
 * How this member's link to the relay fares, as the server should hear of it. The server sends a
 * member direct at their second failed connection with the relay (RELAY_FAILURES_TO_GO_DIRECT in
 * server/core/routes.ts), and forgets what counted once one comes up.
 *
 * A call with the relay that is not up FAST_FALLBACK_MS after it began, while no other call with it
 * is, is reported while it keeps trying, once until one comes up; one that never comes up in
 * CONNECT_TIMEOUT_MS is reported too. So on a network that blocks the relay a member goes direct
 * when their first call times out (~10 s), where it took two timeouts (~20 s); and a link that is
 * only slow to come up (TURN over TCP, a busy device) has its report forgotten as soon as it does.
 */

/** What the calls with the relay tell the link: one is slow to come up, one never did, one is up. */
export type RelayLinkEvent = 'slow' | 'failed' | 'up';

/** What the link tells the server: a failed connection with the relay, or that one works after all. */
export type RelayLinkReport = 'failed' | 'working';

/** The events of one member's calls with the relay, turned into the reports the server needs. */
export function relayLink(report: (outcome: RelayLinkReport) => void): (event: RelayLinkEvent) => void {
  /** Whether a failure was reported since a call last came up. */
  let reported = false;
  /** Whether a slow call was reported since a call last came up. */
  let slowReported = false;
  return (event) => {
    if (event === 'up') {
      slowReported = false;
      if (reported) report('working');
      reported = false;
      return;
    }
    if (event === 'slow') {
      if (slowReported) return;
      slowReported = true;
    }
    reported = true;
    report('failed');
  };
}
