/**
 * The companion extension's service worker: wiring only. It reads the school's settings (managed
 * storage), lifts site rules left from a lesson that is gone, and joins the lesson link to tab
 * watching and site blocking. Outside a live lesson it watches nothing and sends nothing.
 */
import { COMPANION_PORT } from '../../src/shared/companion-link.ts';
import { readManagedConfig } from './managed-config.ts';
import { lessonLink, type AppPort, type LessonLink } from './lesson-link.ts';
import { LIFT_ALARM, siteBlock } from './site-block.ts';
import { tabWatch } from './tab-watch.ts';

const block = siteBlock({
  ruleIds: async () => (await chrome.declarativeNetRequest.getDynamicRules()).map((rule) => rule.id),
  // The shared rule type is checked against Chrome's here: `addRules` must be chrome's Rule[].
  replaceRules: (removeRuleIds, add) =>
    chrome.declarativeNetRequest.updateDynamicRules({ removeRuleIds, addRules: [...add] }),
  setLiftAlarm: (minutes) => chrome.alarms.create(LIFT_ALARM, { delayInMinutes: minutes }),
  hasLiftAlarm: async () => (await chrome.alarms.get(LIFT_ALARM)) !== undefined,
  clearLiftAlarm: async () => void (await chrome.alarms.clear(LIFT_ALARM)),
});

let link: LessonLink | null = null;
/** The settings' last read, which a port waits for. */
let started: Promise<void> = Promise.resolve();

const tabs = tabWatch(
  {
    queryTabs: () => chrome.tabs.query({}),
    changes: [
      chrome.tabs.onCreated,
      chrome.tabs.onRemoved,
      chrome.tabs.onActivated,
      chrome.tabs.onReplaced,
      chrome.tabs.onMoved,
      chrome.tabs.onAttached,
      chrome.tabs.onDetached,
    ],
    updates: chrome.tabs.onUpdated,
  },
  (report) => link?.tabsChanged(report),
);

/** (Re)starts the lesson link for the server the school set, or stays idle without one. */
async function start(): Promise<void> {
  link?.stop();
  link = null;
  const result = readManagedConfig(await chrome.storage.managed.get('serverUrl'));
  if (result.state === 'invalid') console.warn(`Classroom Screens: ${result.problem}`);
  if (result.state !== 'set') return;
  link = lessonLink({
    config: result.config,
    version: chrome.runtime.getManifest().version,
    block,
    tabs,
    tabPorts: {
      removeTab: (tabId) => chrome.tabs.remove(tabId),
      createTab: async (url) => void (await chrome.tabs.create({ url, active: true })),
    },
  });
}

/** A `chrome.runtime.Port` as the lesson link uses it. */
function appPort(port: chrome.runtime.Port): AppPort {
  return {
    post: (message) => port.postMessage(message),
    onMessage: (listener) => port.onMessage.addListener(listener),
    onDisconnect: (listener) => port.onDisconnect.addListener(() => listener()),
    disconnect: () => port.disconnect(),
  };
}

// Listeners are added in the worker's first turn, so Chrome wakes the worker for them.
chrome.alarms.onAlarm.addListener((alarm) => {
  if (alarm.name === LIFT_ALARM) void block.lift();
});
chrome.storage.onChanged.addListener((_changes, area) => {
  if (area === 'managed') started = start();
});
// The student's app opens this port; the manifest lets only the server's origin try.
chrome.runtime.onConnectExternal.addListener((port) => {
  if (port.name !== COMPANION_PORT) return port.disconnect();
  const origin = port.sender?.origin;
  void started.then(() => (link ? link.accept(appPort(port), origin) : port.disconnect()));
});
void block.liftIfStale();
started = start();
