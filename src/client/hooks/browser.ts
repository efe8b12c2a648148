/** Small hooks that connect views to the browser and to controllers. */
import { useEffect, useState } from 'preact/hooks';
import { parseRoute, routePath, type Route } from '../state/links.ts';
import { DEFAULT_WALL_SETTINGS, loadWallSettings, saveWallSettings, type WallSettings } from '../state/storage.ts';

/** Re-renders on every change of something with `subscribe`, returning `read()`. */
export function useSubscription<T>(source: { subscribe(listener: () => void): () => void } | null, read: () => T): T {
  const [, setTick] = useState(0);
  useEffect(() => source?.subscribe(() => setTick((n) => n + 1)), [source]);
  return read();
}

/** The current route and a function to go elsewhere (pushState; `replace` for redirects). */
export function useRoute(): [Route, (route: Route, options?: { replace?: boolean }) => void] {
  const [route, setRoute] = useState(() => parseRoute(location.pathname, location.hash));
  useEffect(() => {
    const onPop = () => setRoute(parseRoute(location.pathname, location.hash));
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const navigate = (next: Route, options: { replace?: boolean } = {}) => {
    const path = routePath(next);
    if (options.replace) history.replaceState(null, '', path);
    else history.pushState(null, '', path);
    setRoute(next);
    scrollTo(0, 0);
  };
  return [route, navigate];
}

/** How often the server is asked again while it cannot be reached. */
const PROBE_INTERVAL_MS = 3000;

/**
 * Whether the school's server answers. navigator.onLine alone cannot say: a school LAN without
 * internet reads as online, and a machine whose only interface is loopback reads as offline while
 * its local server works. The browser's online/offline events only trigger a fresh check.
 */
export function useServerReachable(): boolean {
  const [reachable, setReachable] = useState(true);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const probe = async () => {
      clearTimeout(timer);
      const ok = await fetch('/api/health', { cache: 'no-store' }).then(
        (res) => res.ok,
        () => false,
      );
      if (stopped) return;
      setReachable(ok);
      if (!ok) timer = setTimeout(probe, PROBE_INTERVAL_MS);
    };
    void probe();
    addEventListener('online', probe);
    addEventListener('offline', probe);
    return () => {
      stopped = true;
      clearTimeout(timer);
      removeEventListener('online', probe);
      removeEventListener('offline', probe);
    };
  }, []);
  return reachable;
}

/** The teacher's wall choices, loaded from storage and saved on every change. */
export function useWallSettings(): [WallSettings, (patch: Partial<WallSettings>) => void] {
  const [settings, setSettings] = useState<WallSettings>(DEFAULT_WALL_SETTINGS);
  useEffect(() => {
    let live = true;
    void loadWallSettings().then((saved) => live && setSettings(saved));
    return () => {
      live = false;
    };
  }, []);
  const update = (patch: Partial<WallSettings>) =>
    setSettings((current) => {
      const next = { ...current, ...patch };
      void saveWallSettings(next);
      return next;
    });
  return [settings, update];
}
