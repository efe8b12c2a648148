/**
 * "Keep to these sites" (issue #21): a supervisor sets the lesson's allow list or block list (it
 * replaces the one before) or lifts it; the students' companion extensions apply it. The list comes
 * already read (`parseSiteList`) and is kept as each site's `siteText`. Pure: no I/O, no clock.
 */
import type { SiteListKind } from '../../../src/shared/site-rules.ts';
import type { ActionOf, ClassroomEvent } from '../classroom.ts';
import { done, refuse, type ToolCall, type ToolOutcome } from './tool.ts';

/** A lesson's site list while it is in force. */
export interface LessonSites {
  readonly kind: SiteListKind;
  /** Each site as `siteText` writes it, in the order written, at most SITE_LIST_MAX_SITES. */
  readonly sites: readonly string[];
  readonly byId: string;
  readonly byName: string;
  readonly since: number;
}

/** A supervisor puts a list in force, replacing any before. */
export function setSites({ room, actor, now }: ToolCall, action: ActionOf<'set-sites'>): ToolOutcome<LessonSites> {
  if (actor.role !== 'supervisor') return refuse('wrong-role');
  const sites: LessonSites = {
    kind: action.kind,
    sites: [...action.sites],
    byId: actor.id,
    byName: actor.name,
    since: now,
  };
  const event: ClassroomEvent = { type: 'sites-changed', code: room.code, sites, byName: actor.name };
  return done({ ...room.classroom, sites }, [event], sites);
}

/** A supervisor lifts the list, if one is in force. */
export function liftSites({ room, actor }: ToolCall): ToolOutcome<null> {
  if (actor.role !== 'supervisor') return refuse('wrong-role');
  if (!room.classroom.sites) return done(room.classroom, [], null);
  const event: ClassroomEvent = { type: 'sites-changed', code: room.code, sites: null, byName: actor.name };
  return done({ ...room.classroom, sites: null }, [event], null);
}
