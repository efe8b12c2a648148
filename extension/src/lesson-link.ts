/**
 * The extension's side of the student's link to their live lesson (issue #21): it takes the port the
 * student's app opens from the classroom server's origin (no other), follows what the app says of the
 * lesson (report tabs or not, which sites to keep to), carries out the teacher's actions, and sends
 * the tab reports back for the app to pass on with its seat. Chrome is reached through ports.
 */
import {
  parseToCompanion,
  type CompanionOutcome,
  type CompanionPort,
  type CompanionSites,
  type FromCompanion,
  type ToCompanion,
} from '../../src/shared/companion-link.ts';
import { parseSiteList } from '../../src/shared/site-rules.ts';
import type { TabReport } from '../../src/shared/tab-report.ts';
import type { ManagedConfig } from './managed-config.ts';
import type { SiteBlock } from './site-block.ts';
import type { TabWatch } from './tab-watch.ts';
import { closeTab, lessonSiteRules, openTab, type TabPorts } from './teacher-actions.ts';

/** The extension's end of the app's port. */
export type AppPort = CompanionPort<FromCompanion>;

/** What the link is built from. */
export interface LessonLinkDeps {
  config: ManagedConfig;
  /** The extension's version, told to the app. */
  version: string;
  block: SiteBlock;
  tabs: Pick<TabWatch, 'start' | 'stop'>;
  tabPorts: TabPorts;
}

/** The extension's link to the lesson while it is set up for a server. */
export interface LessonLink {
  /** A port was opened to the extension from `origin`: taken when it is the server's, else closed. */
  accept(port: AppPort, origin: string | undefined): boolean;
  /** The tab watch has a new report: sent to the app while it wants them. */
  tabsChanged(report: TabReport): void;
  /** The server's setting changed: let go of the app (the rules lift by their countdown). */
  stop(): void;
}

/**
 * The link. One app at a time: a second port (the app reloaded, or opened twice) takes over from the
 * first. When the app goes without saying the lesson ended (closed, crashed, offline), tab watching
 * stops at once and the rules stay until their countdown (site-block.ts) runs out, so closing the
 * app is not a way round them, and reopening it within the countdown picks the lesson up again.
 */
export function lessonLink({ config, version, block, tabs, tabPorts }: LessonLinkDeps): LessonLink {
  let app: AppPort | null = null;
  /** Whether the app has said the student is in a live lesson (on this port): only then are actions carried out. */
  let live = false;
  let reporting = false;
  /** The rules in force, as the lesson message that set them; null when none. */
  let applied: string | null = null;

  const setSites = async (message: Extract<ToCompanion, { type: 'lesson' }>) => {
    const key = message.sites && JSON.stringify([message.sites, message.lesson, message.ask]);
    if (key === applied) return key === null ? undefined : block.renew();
    applied = key;
    if (message.sites === null) return block.lift();
    return block.apply(rulesFor(message.sites, message));
  };
  const rulesFor = (sites: CompanionSites, { lesson, ask }: { lesson: string; ask: string }) => {
    const parsed = parseSiteList(sites.sites.join('\n'));
    // The server sends only lists it has read itself; one that does not read here keeps from nothing.
    if (!parsed.ok) return [];
    return lessonSiteRules({ kind: sites.kind, sites: parsed.sites, serverOrigin: config.serverOrigin, lesson, ask });
  };
  const setReporting = (on: boolean) => {
    if (on === reporting) return;
    reporting = on;
    if (on) tabs.start();
    else tabs.stop();
  };
  const act = async (port: AppPort, requestId: string, action: () => Promise<CompanionOutcome>) => {
    const outcome = await action().catch((): CompanionOutcome => 'failed');
    port.post({ type: 'done', requestId, outcome });
  };

  const handle = (port: AppPort, message: ToCompanion) => {
    switch (message.type) {
      case 'lesson':
        live = true;
        setReporting(message.reportTabs);
        void setSites(message);
        return;
      case 'ended':
        live = false;
        setReporting(false);
        applied = null;
        void block.lift();
        return;
      case 'close-tab':
        if (!live) return;
        return void act(port, message.requestId, () =>
          closeTab(tabPorts, message.tabId).then(
            (): CompanionOutcome => 'closed',
            (): CompanionOutcome => 'no-such-tab',
          ),
        );
      case 'open-tab':
        if (!live) return;
        return void act(port, message.requestId, () => openTab(tabPorts, message.url));
    }
  };

  const letGo = () => {
    app = null;
    live = false;
    setReporting(false);
  };

  return {
    accept(port, origin) {
      if (origin !== config.serverOrigin) {
        port.disconnect();
        return false;
      }
      app?.disconnect();
      letGo();
      app = port;
      port.onMessage((data) => {
        const message = parseToCompanion(data);
        if (message && app === port) handle(port, message);
      });
      port.onDisconnect(() => {
        if (app === port) letGo();
      });
      port.post({ type: 'ready', version });
      return true;
    },
    tabsChanged(report) {
      if (reporting) app?.post({ type: 'tabs', report });
    },
    stop() {
      app?.disconnect();
      letGo();
    },
  };
}
