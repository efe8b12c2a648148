/**
 * System notifications for "Eyes up": shown only where the student allowed them, and the
 * permission asked for only by a tap. Views render the offer; these hooks talk to the browser.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AttentionView } from '../../shared/protocol.ts';

/** The browser's notification permission, or 'unsupported' where there are no notifications. */
export type NotificationPermissionState = NotificationPermission | 'unsupported';

/**
 * A system notification when a request for attention starts, only where the student already
 * allowed notifications (the permission is asked for only by a tap, `useNotificationPermission`).
 */
export function useAttentionNotification(attention: AttentionView | null): void {
  const shown = useRef<string | null>(null);
  useEffect(() => {
    if (!attention || shown.current === attention.id) return;
    shown.current = attention.id;
    if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
    const body = `${attention.message || 'Your teacher asks for your attention.'} — ${attention.byName}`;
    try {
      new Notification('Eyes up', { body, tag: `attention-${attention.id}` });
    } catch {
      // Android's Chrome allows notifications only through the service worker.
      void navigator.serviceWorker?.ready
        .then((registration) => registration.showNotification('Eyes up', { body, tag: `attention-${attention.id}` }))
        .catch(() => undefined);
    }
  }, [attention?.id]);
}

/** The notification permission now, and a function that asks for it (call it from a tap). */
export function useNotificationPermission(): [NotificationPermissionState, () => void] {
  const [permission, setPermission] = useState<NotificationPermissionState>(() =>
    typeof Notification === 'undefined' ? 'unsupported' : Notification.permission,
  );
  const ask = () => void Notification.requestPermission().then(setPermission, () => setPermission('denied'));
  return [permission, ask];
}
