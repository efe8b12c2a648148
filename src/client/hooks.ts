/** Small hooks that connect views to the browser and to controllers. */
import { useEffect, useState } from 'preact/hooks';
import { parseRoute, routePath, type Route } from './state/links.ts';

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

/** Whether the browser believes it is online. */
export function useOnline(): boolean {
  const [online, setOnline] = useState(navigator.onLine);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    addEventListener('online', update);
    addEventListener('offline', update);
    return () => {
      removeEventListener('online', update);
      removeEventListener('offline', update);
    };
  }, []);
  return online;
}
