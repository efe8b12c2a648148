/**
 * The student's app's side of the channel to their companion extension (issue #21): it opens the
 * port when the extension is there, keeps telling it about the lesson while the server answers,
 * passes the teacher's actions on, and sends the extension's tab reports to the server with this
 * seat. Without the extension (or outside Chrome) it does nothing and says nothing.
 */
import {
  COMPANION_PORT,
  COMPANION_RENEW_MS,
  parseFromCompanion,
  type CompanionOutcome,
  type CompanionPort,
  type CompanionSites,
  type ToCompanion,
} from '../../shared/companion-link.ts';
import type { TabReport } from '../../shared/protocol.ts';

/** Least time between two tab reports sent to the server (it takes 60 a minute from a seat). */
export const TAB_REPORT_INTERVAL_MS = 1500;

/** The lesson as the extension is told it; null while the server does not answer. */
export interface CompanionLesson {
  lesson: string;
  ask: string;
  reportTabs: boolean;
  sites: CompanionSites | null;
}

/** The app's end of the port to the extension. */
export type ExtensionPort = CompanionPort<ToCompanion>;

/** What the link does besides the port: reach the server with the seat, and tell the student. */
export interface CompanionDeps {
  /** Opens a port to the extension, or null when there is no way to (no extension API, no id). */
  connect(): ExtensionPort | null;
  sendTabs(report: TabReport): Promise<void>;
  clearTabs(): Promise<void>;
  /** The extension came or went. */
  onChange(): void;
  /** Something a teacher did in the student's browser happened: say it. */
  onNotice(text: string): void;
}

/** The app's link to the companion extension, while the student is seated. */
export class CompanionLink {
  #port: ExtensionPort | null = null;
  #ready = false;
  #lesson: CompanionLesson | null = null;
  #renew: ReturnType<typeof setInterval> | null = null;
  #pendingReport: TabReport | null = null;
  /** The extension's last report while it reports. */
  #latestReport: TabReport | null = null;
  #reportTimer: ReturnType<typeof setTimeout> | null = null;
  #lastReportAt = -Infinity;
  /** Whether the server shows tabs from this seat now (so they are cleared when reports stop). */
  #reported = false;
  readonly #requests = new Map<string, (outcome: CompanionOutcome) => string | null>();
  #nextRequest = 1;
  #closed = false;

  constructor(private readonly deps: CompanionDeps) {
    this.#open();
  }

  /** Whether the extension answered: the student's tabs are reported while they share. */
  get present(): boolean {
    return this.#ready;
  }

  /** The lesson now (null while the server cannot be reached): told at once if it changed, then every 20 s. */
  setLesson(lesson: CompanionLesson | null): void {
    const before = this.#lesson;
    this.#lesson = lesson;
    if (lesson && !lesson.reportTabs) this.#stopReports();
    // Back from a server that could not be reached (or restarted, forgetting tabs): the last report again.
    if (lesson?.reportTabs && !before?.reportTabs && this.#latestReport) this.#queueReport(this.#latestReport);
    if (JSON.stringify(lesson) !== JSON.stringify(before)) this.#tell();
  }

  /** A teacher asked to close one of the student's tabs. */
  closeTab(tabId: number, title: string, byName: string): void {
    this.#ask({ type: 'close-tab', tabId }, (outcome) =>
      outcome === 'closed' ? `${byName} closed your tab “${title || 'New tab'}”.` : null,
    );
  }

  /** A teacher sent a link: the extension opens it in a new tab (the app's Open button stays either way). */
  openTab(url: string, byName: string): void {
    this.#ask({ type: 'open-tab', url }, (outcome) =>
      outcome === 'opened' ? `${byName} opened ${siteOf(url)} in a new tab.` : null,
    );
  }

  /** The lesson ended or the student left: the extension stops and lifts its rules now. */
  end(): void {
    this.#post({ type: 'ended' });
    this.close();
  }

  /** Lets go of the port without a word (the page is going away): the extension's countdown takes over. */
  close(): void {
    this.#closed = true;
    this.#stopReports();
    this.#stopRenewing();
    this.#port?.disconnect();
    this.#port = null;
    this.#ready = false;
  }

  #open(): void {
    const port = this.deps.connect();
    if (!port) return;
    this.#port = port;
    port.onMessage((data) => this.#heard(port, data));
    port.onDisconnect(() => {
      if (this.#port !== port) return;
      const wasReady = this.#ready;
      this.#port = null;
      this.#ready = false;
      this.#stopReports();
      this.#stopRenewing();
      if (!wasReady) return;
      this.deps.onChange();
      // The extension was there: its worker restarted or it was updated. Open again.
      if (!this.#closed) setTimeout(() => !this.#closed && !this.#port && this.#open(), 1000);
    });
  }

  #heard(port: ExtensionPort, data: unknown): void {
    if (port !== this.#port) return;
    const message = parseFromCompanion(data);
    if (!message) return;
    switch (message.type) {
      case 'ready':
        this.#ready = true;
        this.#renew ??= setInterval(() => this.#tell(), COMPANION_RENEW_MS);
        this.#tell();
        this.deps.onChange();
        return;
      case 'tabs':
        this.#latestReport = message.report;
        if (this.#lesson?.reportTabs) this.#queueReport(message.report);
        return;
      case 'done': {
        const say = this.#requests.get(message.requestId);
        this.#requests.delete(message.requestId);
        const text = say?.(message.outcome);
        if (text) this.deps.onNotice(text);
        return;
      }
    }
  }

  /** Tells the lesson, while the server answers; silence lets the extension's countdown run. */
  #tell(): void {
    if (this.#lesson) this.#post({ type: 'lesson', ...this.#lesson });
  }

  #ask(
    message: { type: 'close-tab'; tabId: number } | { type: 'open-tab'; url: string },
    say: (outcome: CompanionOutcome) => string | null,
  ): void {
    if (!this.#ready) return;
    const requestId = String(this.#nextRequest++);
    this.#requests.set(requestId, say);
    this.#post({ ...message, requestId });
  }

  #post(message: ToCompanion): void {
    if (this.#ready) this.#port?.post(message);
  }

  #queueReport(report: TabReport): void {
    this.#pendingReport = report;
    if (this.#reportTimer !== null) return;
    const wait = Math.max(0, this.#lastReportAt + TAB_REPORT_INTERVAL_MS - Date.now());
    this.#reportTimer = setTimeout(() => {
      this.#reportTimer = null;
      const next = this.#pendingReport;
      this.#pendingReport = null;
      if (!next || !this.#lesson?.reportTabs) return;
      this.#lastReportAt = Date.now();
      this.#reported = true;
      // A report lost (the server busy or away) is replaced by the next; nothing to retry.
      this.deps.sendTabs(next).catch(() => undefined);
    }, wait);
  }

  #stopRenewing(): void {
    if (this.#renew !== null) clearInterval(this.#renew);
    this.#renew = null;
  }

  #stopReports(): void {
    if (this.#reportTimer !== null) clearTimeout(this.#reportTimer);
    this.#reportTimer = null;
    this.#pendingReport = null;
    this.#latestReport = null;
    if (!this.#reported) return;
    this.#reported = false;
    this.deps.clearTabs().catch(() => undefined);
  }
}

/** Opens the port to the extension `id` through the page's `chrome.runtime`, which Chrome gives pages an installed extension lets talk to it. */
export function connectToExtension(id: string | null): ExtensionPort | null {
  const runtime = (globalThis as { chrome?: { runtime?: ChromeRuntime } }).chrome?.runtime;
  if (!id || typeof runtime?.connect !== 'function') return null;
  try {
    const port = runtime.connect(id, { name: COMPANION_PORT });
    return {
      post: (message) => port.postMessage(message),
      onMessage: (listener) => port.onMessage.addListener(listener),
      onDisconnect: (listener) =>
        port.onDisconnect.addListener(() => {
          // Reading lastError keeps Chrome from logging "Receiving end does not exist" when there is no extension.
          void runtime.lastError;
          listener();
        }),
      disconnect: () => port.disconnect(),
    };
  } catch {
    return null;
  }
}

/** The part of `chrome.runtime` a web page has. */
interface ChromeRuntime {
  connect(
    id: string,
    info: { name: string },
  ): {
    postMessage(message: unknown): void;
    onMessage: { addListener(listener: (data: unknown) => void): void };
    onDisconnect: { addListener(listener: () => void): void };
    disconnect(): void;
  };
  lastError?: unknown;
}

function siteOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    return url;
  }
}
