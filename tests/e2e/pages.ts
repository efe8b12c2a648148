/** Page objects: what a student or teacher sees and does, found by role and name as a screen reader would. */
import { AxeBuilder } from '@axe-core/playwright';
import { expect, type Browser, type BrowserContext, type Download, type Locator, type Page } from '@playwright/test';
import type { JoinRoomResponse, RoomView } from '../../src/shared/protocol.ts';

/** One person with their own browser profile. */
export interface Person {
  context: BrowserContext;
  page: Page;
}

/** Opens a fresh browser context (its own storage) at `path`; `baseURL` for use outside Playwright Test. */
export async function person(
  browser: Browser,
  path = '/',
  viewport = { width: 1366, height: 768 },
  baseURL?: string,
  /** A script every page of the person's runs before the app (instrumentation such as TRACK_PEER_CONNECTIONS). */
  initScript?: string,
): Promise<Person> {
  const context = await browser.newContext(baseURL ? { viewport, baseURL } : { viewport });
  if (initScript) await context.addInitScript(initScript);
  const page = await context.newPage();
  await page.goto(path);
  return { context, page };
}

/** The Home screen. */
export class HomePage {
  constructor(readonly page: Page) {}

  /** Creates a room and waits for its screen. */
  async createRoom(roomName: string, yourName: string, listed = true): Promise<SupervisorRoomPage> {
    const create = this.page.getByRole('region', { name: 'Create a room' });
    await create.getByLabel('Room name').fill(roomName);
    await create.getByLabel('Your name').fill(yourName);
    if (!listed) await create.getByLabel('Show this room in the list of open rooms').uncheck();
    await create.getByRole('button', { name: 'Create room' }).click();
    const room = new SupervisorRoomPage(this.page);
    await expect(room.heading(roomName)).toBeVisible();
    return room;
  }

  /** Fills the join form (code optional: a join link fills it) and joins. */
  async join(options: { name: string; code?: string; role?: 'student' | 'supervisor'; key?: string }): Promise<void> {
    const form = this.page.getByRole('region', { name: 'Join a room' });
    if (options.code !== undefined) await form.getByLabel('Room code').fill(options.code);
    await form.getByLabel('Your name').fill(options.name);
    if (options.role === 'supervisor') await form.getByLabel('A teacher: I watch screens').check();
    if (options.key !== undefined) await form.getByLabel('Supervisor key').fill(options.key);
    await form.getByRole('button', { name: 'Join' }).click();
  }

  /** Joins as `join` does, and returns the server's reply: the seat's id and token, as sent. */
  async joinForReply(options: Parameters<HomePage['join']>[0]): Promise<JoinRoomResponse> {
    const joined = this.page.waitForResponse((r) => r.request().method() === 'POST' && r.url().endsWith('/members'));
    await this.join(options);
    return (await (await joined).json()) as JoinRoomResponse;
  }

  /** The notice at the top (why a seat ended, for example). */
  notice(): Locator {
    return this.page.getByRole('alert').first();
  }

  heading(): Locator {
    return this.page.getByRole('heading', { level: 1 });
  }
}

/** What both room views share. */
class RoomPage {
  constructor(readonly page: Page) {}

  heading(roomName: string): Locator {
    return this.page.getByRole('heading', { level: 1, name: roomName });
  }

  /** A notice in the room's live region. */
  notice(text: string | RegExp): Locator {
    return this.page.locator('.notices').getByText(text);
  }

  async leave(): Promise<void> {
    await this.page.getByRole('button', { name: 'Leave room' }).click();
  }
}

/** A student's room. */
export class StudentRoomPage extends RoomPage {
  shareButton(): Locator {
    return this.page.getByRole('button', { name: /^(Share my screen|Share again)$/ });
  }

  stopButton(): Locator {
    return this.page.getByRole('button', { name: 'Stop sharing' });
  }

  /** The sentence saying who receives the screen right now. */
  watchers(): Locator {
    return this.page.locator('.watchers');
  }

  /** The sentence listing the teachers in the room. */
  teachers(): Locator {
    return this.page.getByText(/^Teachers in this room:/);
  }
}

/** A supervisor's room. */
export class SupervisorRoomPage extends RoomPage {
  /** The room code as shown. */
  async code(): Promise<string> {
    return (await this.page.locator('.room-head .room-code').textContent())!.trim();
  }

  students(): Locator {
    return this.page.getByRole('list', { name: 'Students' }).getByRole('listitem');
  }

  supervisors(): Locator {
    return this.page.getByRole('list', { name: 'Supervisors' }).getByRole('listitem');
  }

  /** The invitation's links, opening the panel if it is folded and revealing the supervisor link. */
  async inviteLinks(): Promise<{ student: string; supervisor: string }> {
    const invite = this.page.getByRole('button', { name: 'Invite', exact: true });
    if (await invite.isVisible()) await invite.click();
    await this.page.getByRole('button', { name: 'Show supervisor key and link' }).click();
    const links = {
      student: await this.page.getByLabel('Student link', { exact: true }).inputValue(),
      supervisor: await this.page.getByLabel(/^Supervisor invite link/).inputValue(),
    };
    await this.page.getByRole('button', { name: 'Hide supervisor key and link' }).click();
    return links;
  }

  /** The words under the room's name that say how screens travel (after its last " · "). */
  screensPath(): Locator {
    return this.page.locator('.room-head p.muted');
  }

  /** Waits until the room's header says screens travel exactly `words` (not a longer phrase beginning so). */
  async expectScreensPath(words: string, timeout?: number): Promise<void> {
    const literal = words.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    await expect(this.screensPath()).toHaveText(new RegExp(` · ${literal}$`), { timeout });
  }

  /** The tile of one student on the wall. */
  tile(name: string): Locator {
    return this.page.getByRole('figure', { name: new RegExp(`^${name}:`) });
  }

  async makeHost(name: string): Promise<void> {
    await this.page.getByRole('button', { name: `Make host ${name}` }).click();
  }

  async remove(name: string): Promise<void> {
    await this.page.getByRole('button', { name: `Remove ${name}` }).click();
  }

  async endRoom(): Promise<void> {
    await this.page.getByRole('button', { name: 'End room', exact: true }).click();
    await this.page.getByRole('button', { name: 'End room for everyone' }).click();
  }
}

/** Width of the frames a tile's video is decoding right now (0 before the first frame). */
export async function tileFrameWidth(tile: Locator): Promise<number> {
  return tile.locator('video').evaluate((video: HTMLVideoElement) => video.videoWidth);
}

/**
 * An init script: each video element of the page keeps every width its picture takes, the first
 * frame's included (media events reach the document's capture phase). Read with `videoWidths`.
 */
export const RECORD_VIDEO_WIDTHS = `
  for (const type of ['loadedmetadata', 'resize'])
    document.addEventListener(type, (event) => {
      const video = event.target;
      if (video instanceof HTMLVideoElement) (video.__widths ??= []).push(video.videoWidth);
    }, true);
`;

/** The widths the picture of the video in `within` has taken, in order (see RECORD_VIDEO_WIDTHS). */
export async function videoWidths(within: Locator): Promise<number[]> {
  return within.locator('video').evaluate((video) => (video as unknown as { __widths?: number[] }).__widths ?? []);
}

/** Asserts that axe finds no WCAG 2.1 A/AA or best-practice violations on the page as it is now. */
export async function expectNoAxeViolations(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'])
    .analyze();
  expect(results.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)).toEqual([]);
}

/** Records every accessible name the tile has while `during` runs: a black tile would show up here. */
export async function namesDuring(page: Page, name: string, during: () => Promise<void>): Promise<string[]> {
  return (await tileNamesDuring(page, [name], during))[name]!;
}

/** `namesDuring` for several tiles at once: each student's name, with every accessible name their tile had. */
export async function tileNamesDuring(
  page: Page,
  names: readonly string[],
  during: () => Promise<void>,
): Promise<Record<string, string[]>> {
  await page.evaluate((names) => {
    const w = window as unknown as { __seen: Record<string, string[]>; __watch: number };
    w.__seen = Object.fromEntries(names.map((name) => [name, []]));
    w.__watch = window.setInterval(() => {
      const figures = [...document.querySelectorAll('figure')];
      for (const name of names) {
        const figure = figures.find((f) => f.getAttribute('aria-label')?.startsWith(`${name}:`));
        w.__seen[name]!.push(figure?.getAttribute('aria-label') ?? 'no tile');
      }
    }, 50);
  }, names);
  await during();
  return page.evaluate(() => {
    const w = window as unknown as { __seen: Record<string, string[]>; __watch: number };
    clearInterval(w.__watch);
    return Object.fromEntries(Object.entries(w.__seen).map(([name, seen]) => [name, [...new Set(seen)]]));
  });
}

/** Resolves once the tile's video has decoded a new frame: proof that pictures arrive, not just a stream object. */
export async function expectFramesDecoded(tile: Locator): Promise<void> {
  await expect(tile).toHaveAccessibleName(/: Live$/);
  const presented = await tile.locator('video').evaluate(
    (video: HTMLVideoElement) =>
      new Promise<number>((resolve, reject) => {
        setTimeout(() => reject(new Error('no frame decoded within 5 s')), 5000);
        video.requestVideoFrameCallback((_now, meta) => resolve(meta.presentedFrames));
      }),
  );
  expect(presented).toBeGreaterThan(0);
}

/** On a class page: exports the attendance of every lesson held today, as the teacher would, and returns the file. */
export async function exportTodaysLessons(page: Page): Promise<Download> {
  const today = await page.evaluate(() => new Date().toLocaleDateString('en-CA'));
  await page.getByLabel('First day').fill(today);
  await page.getByLabel('Last day').fill(today);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Export CSV for these days' }).click(),
  ]);
  return download;
}

/** The room as a member's join reply lets them read it from the API: what crossed the wire. */
export async function roomOnWire(serverUrl: string, reply: JoinRoomResponse): Promise<RoomView> {
  const res = await fetch(`${serverUrl}/api/rooms/${reply.room.code}`, {
    headers: { authorization: `Bearer ${reply.member.token}` },
  });
  return ((await res.json()) as { room: RoomView }).room;
}
