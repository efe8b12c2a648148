/**
 * Applies and lifts a lesson's site rules (Chrome declarativeNetRequest dynamic rules), and lifts
 * them by itself when the lesson falls silent: a Chrome alarm, which the lesson link moves on with
 * every word from the server, fires LIFT_AFTER_SILENCE_MINUTES after the last one. Chrome is
 * reached through ports (background.ts makes them), so the rules of lifting are unit-tested.
 */
import type { SiteRule } from '../../src/shared/site-rules.ts';

/**
 * Minutes without word from the lesson after which its rules are lifted. Longer than a Wi-Fi blip
 * and the server's reconnect grace (20 s by default), so a wobble does not open the web; short
 * enough that a student is not kept off it long after a server went away. Chrome fires alarms no
 * sooner than 30 s after they are set, and may fire them later.
 */
export const LIFT_AFTER_SILENCE_MINUTES = 2;

/** The name of the alarm that lifts the rules. */
export const LIFT_ALARM = 'lift-site-rules';

/** What site blocking needs of Chrome. */
export interface SiteBlockPorts {
  /** Ids of the extension's dynamic rules now in force. */
  ruleIds(): Promise<number[]>;
  /** Removes the rules with these ids and adds these rules, in one step. */
  replaceRules(removeIds: number[], add: readonly SiteRule[]): Promise<void>;
  /** Sets the lift alarm to fire in `minutes` (replacing it if it is set). */
  setLiftAlarm(minutes: number): Promise<void>;
  /** Whether the lift alarm is set. */
  hasLiftAlarm(): Promise<boolean>;
  clearLiftAlarm(): Promise<void>;
}

/** A lesson's site rules in one browser. */
export interface SiteBlock {
  /** Puts these rules in force instead of any before, and starts the silence countdown. */
  apply(rules: readonly SiteRule[]): Promise<void>;
  /** The lesson spoke: the countdown starts again, if rules are in force. */
  renew(): Promise<void>;
  /** Removes every rule: the lesson ended, the student left, or the lesson fell silent. */
  lift(): Promise<void>;
  /** At the worker's start: lifts rules whose alarm is gone (a crash, a restart, an update). */
  liftIfStale(): Promise<void>;
}

/** Site blocking over Chrome's ports; calls run one at a time, in the order made. */
export function siteBlock(ports: SiteBlockPorts): SiteBlock {
  let queue: Promise<unknown> = Promise.resolve();
  const serial = (step: () => Promise<void>): Promise<void> => {
    const run = queue.then(step);
    queue = run.catch(() => undefined);
    return run;
  };
  const lift = async () => {
    await ports.replaceRules(await ports.ruleIds(), []);
    await ports.clearLiftAlarm();
  };
  return {
    apply: (rules) =>
      serial(async () => {
        await ports.replaceRules(await ports.ruleIds(), rules);
        await ports.setLiftAlarm(LIFT_AFTER_SILENCE_MINUTES);
      }),
    renew: () =>
      serial(async () => {
        if (await ports.hasLiftAlarm()) await ports.setLiftAlarm(LIFT_AFTER_SILENCE_MINUTES);
      }),
    lift: () => serial(lift),
    liftIfStale: () =>
      serial(async () => {
        if (!(await ports.hasLiftAlarm()) && (await ports.ruleIds()).length > 0) await lift();
      }),
  };
}
