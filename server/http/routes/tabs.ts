/**
 * The companion extension's routes (issue #21): a student's open tabs (a report replaces the last one
 * and goes to the room's supervisors only; clearing it says the extension stopped), a supervisor's
 * "close this tab", and the lesson's "keep to these sites". Reports are checked by the shared
 * `parseTabReport`, site lists by `parseSiteList`. These routes parse their own bodies (a report or a
 * list is larger than the API's 8 KB); every limit is per seat. No room rule here.
 */
import express from 'express';
import { parseTabReport, type RoomEvent, type SetSitesResponse } from '../../../src/shared/protocol.ts';
import { parseSiteList, siteText } from '../../../src/shared/site-rules.ts';
import { sitesView } from '../../core/views.ts';
import type { RoomStore } from '../../room-store.ts';
import type { TabBoard } from '../../tabs/tab-board.ts';
import { ApiError } from '../errors.ts';
import { limiter, type RequestLimits } from '../limits.ts';
import { parseBody, setSitesBody, SITE_LIST_TEXT_MAX } from '../schemas.ts';
import { requireSeat, seatOf } from '../seat.ts';
import { runAsSeat } from './classroom.ts';

/** The largest report: 50 tabs, each a 200-character title and a 2,000-character address, in JSON. */
export const TAB_REPORT_BODY_LIMIT = '192kb';
/** Reports one seat may send a minute: the extension sends one per burst of tab changes. */
export const TAB_REPORTS_PER_MIN = 60;
/** Tabs one supervisor may close, and site lists set or lifted, a minute. */
export const TAB_ACTIONS_PER_MIN = 60;

const OWN_TABS = '/rooms/:code/members/me/tabs';
const SITES = '/rooms/:code/sites';

/** The companion's router. */
export function tabRoutes(deps: {
  store: RoomStore;
  tabs: TabBoard;
  limits: Pick<RequestLimits, 'seat'>;
}): express.Router {
  const { store, tabs } = deps;
  const router = express.Router();
  const seat = requireSeat(store, deps.limits.seat);
  const perSeat = (bucket: string, limit: number, message: string) =>
    limiter({ windowMs: 60_000, limit, key: (res) => `${bucket}:${seatOf(res).member.id}`, message });
  const reports = perSeat(
    'tabs',
    TAB_REPORTS_PER_MIN,
    `The extension sent more than ${TAB_REPORTS_PER_MIN} tab reports in a minute; it should send one per burst of changes.`,
  );
  const actions = perSeat(
    'tab-actions',
    TAB_ACTIONS_PER_MIN,
    `You closed tabs or changed the site list more than ${TAB_ACTIONS_PER_MIN} times in a minute; wait a little and try again.`,
  );
  const supervisor = (role: string) => {
    if (role !== 'supervisor') throw new ApiError('wrong-role', 'Only supervisors close tabs and set the sites.');
  };
  // Bodies are read only once the seat and its budget let the request in: nobody else makes the
  // server parse up to 192 KB.
  const reportBody = bodyOf(
    TAB_REPORT_BODY_LIMIT,
    `A tab report is at most ${TAB_REPORT_BODY_LIMIT.replace('kb', ' KB')} (50 tabs, each a 200-character title and a 2,000-character address); send fewer or shorter tabs.`,
    'tabs',
  );
  const siteListBody = bodyOf(
    SITE_LIST_TEXT_MAX + 1024,
    `A site list is at most ${SITE_LIST_TEXT_MAX} characters; keep the class to fewer sites.`,
    'sites',
  );

  router.put(OWN_TABS, seat, reports, reportBody, (req, res) => {
    const { room, member } = seatOf(res);
    if (member.role !== 'student') throw new ApiError('wrong-role', 'Only students report their tabs.');
    const parsed = parseTabReport(req.body);
    if (!parsed.ok) throw new ApiError('invalid-request', `The tab report was refused: ${parsed.error}.`, 'tabs');
    tabs.report(room, member.id, parsed.report);
    res.status(204).end();
  });

  router.delete(OWN_TABS, seat, (_req, res) => {
    const { room, member } = seatOf(res);
    tabs.clear(room, member.id);
    res.status(204).end();
  });

  // A supervisor asks a student's extension to close a tab it reported; only that student hears of it.
  router.delete('/rooms/:code/members/:memberId/tabs/:tabId', seat, actions, (req, res) => {
    const { room, member } = seatOf(res);
    supervisor(member.role);
    const studentId = String(req.params.memberId);
    const tab = tabs.tabOf(room.code, studentId, Number(req.params.tabId));
    if (!tab) throw new ApiError('tab-not-found');
    const message: RoomEvent = { type: 'tab-close-asked', tabId: tab.id, title: tab.title, byName: member.name };
    tabs.streams.sendTo(room, (viewer) => viewer.id === studentId, message);
    res.status(202).end();
  });

  router.put(SITES, seat, actions, siteListBody, (req, res) => {
    supervisor(seatOf(res).member.role);
    const { kind, sites } = parseBody(setSitesBody, req.body);
    const parsed = parseSiteList(sites);
    if (!parsed.ok) {
      const problems = parsed.problems.slice(0, 5).map((problem) => problem.message);
      const more = parsed.problems.length > 5 ? `; and ${parsed.problems.length - 5} more` : '';
      throw new ApiError('invalid-request', `The site list was refused: ${problems.join('; ')}${more}.`, 'sites');
    }
    if (parsed.sites.length === 0) {
      throw new ApiError(
        'invalid-request',
        'The site list names no site; write one a line, like example.org (to lift the list, DELETE it).',
        'sites',
      );
    }
    const set = runAsSeat(store, res, { type: 'set-sites', kind, sites: parsed.sites.map(siteText) });
    res.json({ sites: sitesView(set) } satisfies SetSitesResponse);
  });

  router.delete(SITES, seat, actions, (_req, res) => {
    supervisor(seatOf(res).member.role);
    runAsSeat(store, res, { type: 'lift-sites' });
    res.status(204).end();
  });

  return router;
}

/** Reads a JSON body of at most `limit`; a larger one is refused with `message`, naming `field`. */
function bodyOf(limit: string | number, message: string, field: string): express.RequestHandler {
  const parse = express.json({ limit });
  return (req, res, next) =>
    parse(req, res, (error?: unknown) => {
      const tooLarge = (error as { type?: unknown } | undefined)?.type === 'entity.too.large';
      next(tooLarge ? new ApiError('body-too-large', message, field) : error);
    });
}
