/**
 * The student's link to their live lesson on the classroom server (issue #21). When built, it will
 * learn the student's seat from the PWA (externally_connectable, the server's origin only), send
 * tab reports with the seat's credentials, carry out the teacher's actions (teacher-actions.ts),
 * and renew the site rules with every word from the server. Only a stub so far.
 */
import type { TabReport } from '../../src/shared/tab-report.ts';
import type { ManagedConfig } from './managed-config.ts';

/** What the link tells the worker. */
export interface LessonLinkEvents {
  /** The student is seated in a live lesson: start watching tabs. */
  live(): void;
  /** The lesson ended, the student left, or the server fell silent: stop watching, lift the rules. */
  ended(): void;
}

/** A link to the lesson, while the extension is set up for a server. */
export interface LessonLink {
  /** The student's tabs changed while live: send the report (rate-limited by the link). */
  tabsChanged(report: TabReport): void;
  stop(): void;
}

/** Not built yet (issue #21): connects to nothing, sends nothing and never goes live. */
export function lessonLinkStub(_config: ManagedConfig, _events: LessonLinkEvents): LessonLink {
  return { tabsChanged: () => undefined, stop: () => undefined };
}
