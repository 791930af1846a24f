import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AUTOLOCK_NOTIFICATION_SUFFIXES, autolockNotificationId, slugify } from '../../src/model/slug.js';

const idsOf = (lock: { id: string; name: string }): string[] =>
  AUTOLOCK_NOTIFICATION_SUFFIXES.map((which) => autolockNotificationId(lock, which));

describe('(10.14) notification ids', () => {
  it('(10.14) "Front Door" and "front-door" on two locks get distinct notification ids', () => {
    const a = idsOf({ id: 'front', name: 'Front Door' });
    const b = idsOf({ id: 'side', name: 'front-door' });
    expect(new Set([...a, ...b]).size).toBe(2 * AUTOLOCK_NOTIFICATION_SUFFIXES.length);
  });

  it('(10.14) two locks named without Latin letters get distinct notification ids', () => {
    const a = idsOf({ id: 'voordeur', name: 'Входная дверь' });
    const b = idsOf({ id: 'achterdeur', name: '玄関' });
    expect(slugify('Входная дверь')).toBe(slugify('玄関'));
    expect(new Set([...a, ...b]).size).toBe(2 * AUTOLOCK_NOTIFICATION_SUFFIXES.length);
  });

  it("(10.14) the upstream id <slug>_autolock_<kind> is kept for the lock whose id is its name's slug", () => {
    expect(idsOf({ id: 'front_door', name: 'Front Door' })).toEqual([
      'front_door_autolock_door_open',
      'front_door_autolock_door_closed',
      'front_door_autolock_failed',
      'front_door_autolock_jammed',
      'front_door_autolock_warning',
    ]);
    expect(autolockNotificationId({ id: 'lock', name: 'Входная дверь' }, 'failed')).toBe('lock_autolock_failed');
  });

  it('(10.14) any other lock adds its id after a double underscore', () => {
    expect(autolockNotificationId({ id: 'front', name: 'Front Door' }, 'failed')).toBe(
      'front_door__front_autolock_failed',
    );
    expect(autolockNotificationId({ id: 'Front_Door', name: 'Front Door' }, 'door_open')).toBe(
      'front_door__Front_Door_autolock_door_open',
    );
  });

  const lockId = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,12}$/);
  // names that often slug to the same thing, or to another lock's id
  const name = fc.oneof(
    fc.constantFrom('Front Door', 'front-door', 'FRONT  door!', 'Входная дверь', '玄関', '!!!', 'lock', 'a b', 'a_b'),
    lockId,
    fc.string({ maxLength: 12 }),
  );
  const lock = fc.record({ id: lockId, name: name.filter((n) => n.trim() !== '') });

  it('(10.14) distinct lock ids never share a notification id, and the same lock always gets the same ids', () => {
    fc.assert(
      fc.property(lock, lock, (a, b) => {
        expect(idsOf({ ...a })).toEqual(idsOf(a));
        const all = [...idsOf(a), ...idsOf(b)];
        if (a.id !== b.id) expect(new Set(all).size).toBe(2 * AUTOLOCK_NOTIFICATION_SUFFIXES.length);
        // a lock that is its own slug, and a lock of another id carrying that slug as its name
        const owner = { id: slugify(a.name), name: a.name };
        if (owner.id !== b.id) {
          expect(new Set([...idsOf(owner), ...idsOf({ id: b.id, name: a.name })]).size).toBe(
            2 * AUTOLOCK_NOTIFICATION_SUFFIXES.length,
          );
        }
      }),
      { numRuns: 2000 },
    );
  });
});
