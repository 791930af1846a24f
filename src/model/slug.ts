/**
 * Notification ids, derived from a lock's id and name as the upstream integration named them.
 *
 * Invariants:
 * - an id is a pure function of the lock's (id, name) and the kind: the same lock always gets the
 *   same ids, so a dismissal finds what was notified;
 * - locks of distinct ids never share a notification id, whatever their names ("Front Door" and
 *   "front-door", or two names without Latin letters that both slug to `lock`);
 * - the upstream id `<slug>_autolock_<kind>` is kept for the one lock that can own it: the lock
 *   whose id is its name's slug. Any other lock's id is `<slug>__<lock id>_autolock_<kind>`. A
 *   slug never holds `__` nor ends in `_`, and a lock id never starts with `_`, so the first `__`
 *   ends the slug: the two forms never meet, and the second one is distinct per lock id.
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

export const AUTOLOCK_NOTIFICATION_SUFFIXES = ['door_open', 'door_closed', 'failed', 'jammed', 'warning'] as const;
export type AutolockNotification = (typeof AUTOLOCK_NOTIFICATION_SUFFIXES)[number];

/** The id of one of a lock's autolock notifications; see the header. */
export function autolockNotificationId(
  lock: { readonly id: string; readonly name: string },
  which: AutolockNotification,
): string {
  const slug = slugify(lock.name);
  return lock.id === slug ? `${slug}_autolock_${which}` : `${slug}__${lock.id}_autolock_${which}`;
}
