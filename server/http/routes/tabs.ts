/**
 * A student's open tabs from their companion extension (issue #21): a report replaces the last one
 * and goes to the room's supervisors only; clearing it says the extension stopped. Reports are
 * checked by the shared `parseTabReport` (the extension makes them with the same module), limited in
 * size by their own body parser and in rate per seat. No room rule here.
 */
import express from 'express';
import { parseTabReport } from '../../../src/shared/protocol.ts';
import type { RoomStore } from '../../room-store.ts';
import type { TabBoard } from '../../tabs/tab-board.ts';
import { ApiError } from '../errors.ts';
import { limiter, type RequestLimits } from '../limits.ts';
import { requireSeat, seatOf } from '../seat.ts';

/** The largest report: 50 tabs, each a 200-character title and a 2,000-character address, in JSON. */
export const TAB_REPORT_BODY_LIMIT = '192kb';
/** Reports one seat may send a minute: the extension sends one per burst of tab changes. */
export const TAB_REPORTS_PER_MIN = 60;

const PATH = '/rooms/:code/members/me/tabs';

/** The tabs router; it parses its own bodies (a report is larger than the API's 8 KB). */
export function tabRoutes(deps: {
  store: RoomStore;
  tabs: TabBoard;
  limits: Pick<RequestLimits, 'seat'>;
}): express.Router {
  const { store, tabs } = deps;
  const router = express.Router();
  const seat = requireSeat(store, deps.limits.seat);
  const reports = limiter({
    windowMs: 60_000,
    limit: TAB_REPORTS_PER_MIN,
    key: (res) => `tabs:${seatOf(res).room.code}:${seatOf(res).member.id}`,
    message: `The extension sent more than ${TAB_REPORTS_PER_MIN} tab reports in a minute; it should send one per burst of changes.`,
  });
  router.use(PATH, express.json({ limit: TAB_REPORT_BODY_LIMIT }));

  router.put(PATH, seat, reports, (req, res) => {
    const { room, member } = seatOf(res);
    if (member.role !== 'student') throw new ApiError('wrong-role', 'Only students report their tabs.');
    const parsed = parseTabReport(req.body);
    if (!parsed.ok) throw new ApiError('invalid-request', `The tab report was refused: ${parsed.error}.`, 'tabs');
    tabs.report(room, member.id, parsed.report);
    res.status(204).end();
  });

  router.delete(PATH, seat, (_req, res) => {
    const { room, member } = seatOf(res);
    tabs.clear(room, member.id);
    res.status(204).end();
  });

  return router;
}
