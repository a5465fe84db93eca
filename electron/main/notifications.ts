// Renders the notification policy's decisions (core/desktop/notifications.ts) as OS notifications;
// a click opens the page the policy named. Health comes from a slow poll of managed devices.
import { Notification } from 'electron';
import type { Core } from '../core/api';
import { HealthWatch } from '../core/desktop/health-watch';
import { NotificationPolicy, type DesktopNotification } from '../core/desktop/notifications';

export interface Notifier {
  /** A one-off message (a tray action failed). */
  report(title: string, body: string, route?: string): void;
  stop(): void;
}

export function startNotifications(core: Core, openApp: (route?: string) => void): Notifier {
  const policy = new NotificationPolicy();
  // Kept referenced until closed: a garbage-collected Notification loses its click handler.
  const shown = new Map<string, Notification>();

  const show = (n: Pick<DesktopNotification, 'title' | 'body' | 'subject' | 'urgency'> & { route?: string }) => {
    if (!Notification.isSupported()) return;
    shown.get(n.subject)?.close();
    const notification = new Notification({ title: n.title, body: n.body, urgency: n.urgency, silent: false });
    notification.on('click', () => openApp(n.route));
    notification.on('close', () => {
      if (shown.get(n.subject) === notification) shown.delete(n.subject);
    });
    shown.set(n.subject, notification);
    notification.show();
  };
  const showAll = (list: DesktopNotification[]) => list.forEach(show);

  // First sight of every mount is recorded silently, so only later changes are news.
  void core.handlers['mounts.list']({}).then(
    (mounts) => policy.onMountsChanged(mounts),
    () => undefined,
  );
  const unsubscribe = [
    core.events.on('mounts.changed', ({ mounts }) => showAll(policy.onMountsChanged(mounts))),
    core.events.on('jobs.progress', (job) => showAll(policy.onJobProgress(job))),
  ];
  const health = new HealthWatch({
    listDevices: () => core.handlers['devices.list']({}),
    status: (device) => core.handlers['nas.status']({ device }),
    onStatus: (status, device) => showAll(policy.onNasStatus(status, device.name)),
  });
  health.start();

  let reports = 0;
  return {
    report: (title, body, route) => show({ title, body, route, subject: `report:${reports++}`, urgency: 'normal' }),
    stop() {
      health.stop();
      for (const off of unsubscribe) off();
      for (const n of shown.values()) n.close();
      shown.clear();
    },
  };
}
