import { describe, expect, it } from 'vitest';
import { relayLink, type RelayLinkEvent, type RelayLinkReport } from '../../src/client/media/relay-link.ts';

/** The reports the link makes for these events, in order. */
function reportsFor(events: RelayLinkEvent[]): RelayLinkReport[] {
  const reports: RelayLinkReport[] = [];
  const link = relayLink((outcome) => reports.push(outcome));
  for (const event of events) link(event);
  return reports;
}

describe('the link to the relay, as the server hears of it', () => {
  it('reports a slow call and a failed one: two failures, the server’s threshold for going direct', () => {
    expect(reportsFor(['slow', 'failed'])).toEqual(['failed', 'failed']);
  });

  it('reports slow calls once until a call comes up', () => {
    expect(reportsFor(['slow', 'slow', 'slow'])).toEqual(['failed']);
  });

  it('has the server forget its reports when a call comes up, and reports slow again after', () => {
    expect(reportsFor(['slow', 'up', 'slow', 'up'])).toEqual(['failed', 'working', 'failed', 'working']);
  });

  it('says nothing of calls that come up with nothing to forget', () => {
    expect(reportsFor(['up', 'up'])).toEqual([]);
  });

  it('reports every failed call, slow ones or not', () => {
    expect(reportsFor(['failed', 'slow', 'failed'])).toEqual(['failed', 'failed', 'failed']);
  });
});
