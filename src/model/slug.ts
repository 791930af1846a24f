/**
 * Notification ids derived from a lock's name, as the upstream integration named them.
 *
 * Invariant: the same name always gives the same ids, so a dismissal finds what was notified.
 */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return slug === '' ? 'lock' : slug;
}

export const AUTOLOCK_NOTIFICATION_SUFFIXES = ['door_open', 'door_closed', 'failed'] as const;
export type AutolockNotification = (typeof AUTOLOCK_NOTIFICATION_SUFFIXES)[number];

export function autolockNotificationId(lockName: string, which: AutolockNotification): string {
  return `${slugify(lockName)}_autolock_${which}`;
}
