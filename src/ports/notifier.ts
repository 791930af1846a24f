/**
 * The host's notifier: how relock tells a person that a door was not locked.
 *
 * Invariants: a notification id is stable per lock and kind (`autolockNotificationId`), so a
 * later `dismiss(id)` removes it; a notifier that throws or hangs is reported as an event and
 * never blocks an actor.
 */
export interface Notification {
  readonly id: string;
  readonly title: string;
  readonly message: string;
}

export interface Notifier {
  notify(notification: Notification): Promise<void> | void;
  dismiss(id: string): Promise<void> | void;
}

export const silentNotifier: Notifier = {
  notify: () => {},
  dismiss: () => {},
};
