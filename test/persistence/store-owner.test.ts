/**
 * Store ownership (issue 10.5): one relock system at a time on a store; a second is refused with
 * an error naming the store, a crashed owner is taken over, a system that lost the store stops
 * firing, and nothing of it is left on the clock after stop() (10.21).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import Keyv from 'keyv';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock/manual-clock.js';
import { InvalidArgumentError, StoreError, StoreInUseError, SystemStoppedError } from '../../src/errors.js';
import type { RelockEvent } from '../../src/events.js';
import { createRelock, type Relock, type RelockOptions } from '../../src/relock.js';
import { FaultyMap } from '../support/faulty-map.js';

const MINUTE = 60_000;
const dirs: string[] = [];
const running: Relock[] = [];
afterEach(async () => {
  for (const relock of running.splice(0)) await relock.stop().catch(() => {});
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function recorder() {
  const commands: string[] = [];
  const errors: string[] = [];
  const warnings: string[] = [];
  const options = {
    driver: {
      async lock(lock: { id: string }) {
        commands.push(lock.id);
      },
    },
    logger: {
      debug() {},
      info() {},
      warn: (message: string) => warnings.push(message),
      error: (message: string) => errors.push(message),
    },
  } satisfies Partial<RelockOptions>;
  return { commands, errors, warnings, options };
}

async function start(options: RelockOptions): Promise<Relock> {
  const relock = await createRelock(options);
  running.push(relock);
  return relock;
}

function sqliteFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'relock-owner-'));
  dirs.push(dir);
  return join(dir, 'relock.sqlite');
}

const front = { id: 'front', name: 'Front', autolock: { enabled: true, dayMinutes: 5 } };

describe('store ownership', () => {
  it('(10.5) a second system on the same sqlite:// file is refused with StoreInUseError naming the file; one command', async () => {
    const url = `sqlite://${sqliteFile()}`;
    const clock = new ManualClock();
    const a = recorder();
    const first = await start({ ...a.options, store: url, clock });
    clock.settleWith(() => first.flush());
    await first.addLock(front);
    first.reportLockState('front', 'unlocked');
    await first.flush();

    const b = recorder();
    const second = createRelock({ ...b.options, store: url, clock });
    await expect(second).rejects.toThrow(StoreInUseError);
    await expect(createRelock({ ...b.options, store: url, clock })).rejects.toThrow(
      new RegExp(`store ${url.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')} is in use by another relock system`),
    );
    const error = await createRelock({ ...b.options, store: url, clock }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'STORE_IN_USE', store: url });
    expect((error as Error).message).toMatch(/stop that system first.*expires in 30 s/);

    // past the deadline, inside the first command's confirmation wait (no retry yet)
    await clock.advance(5 * MINUTE + 20_000);
    expect(a.commands).toEqual(['front']);
    expect(b.commands).toEqual([]);

    // once the first has stopped, the file is free again
    await first.stop();
    const third = await start({ ...b.options, store: url, clock });
    await third.addLock(front);
    expect(third.lockIds()).toEqual(['front']);
  });

  it('(10.5) a Keyv shared by two systems in one process: the second is refused while the first runs; free after stop()', async () => {
    const store = new Keyv({ store: new Map() });
    const clock = new ManualClock();
    const first = await start({ ...recorder().options, store, clock });
    await expect(createRelock({ ...recorder().options, store, clock })).rejects.toThrow(
      /store a Keyv \(Map, namespace keyv\) is in use/,
    );
    // a second Keyv on the same adapter is the same store
    const map = (store as unknown as { store: Map<string, unknown> }).store;
    await expect(createRelock({ ...recorder().options, store: new Keyv({ store: map }), clock })).rejects.toThrow(
      StoreInUseError,
    );
    await first.stop();
    expect(await store.get('owner')).toBeUndefined();
    await start({ ...recorder().options, store, clock });
  });

  it('(10.5) two systems started at the same moment on one store: exactly one starts', async () => {
    const store = new Keyv({ store: new Map() });
    const clock = new ManualClock();
    const results = await Promise.allSettled([
      createRelock({ ...recorder().options, store, clock }),
      createRelock({ ...recorder().options, store: new Keyv({ store: new Map() }), clock }),
      createRelock({ ...recorder().options, store, clock }),
    ]);
    for (const result of results) if (result.status === 'fulfilled') running.push(result.value);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'rejected']);
  });

  it('(10.5) the owner record of a system on another host is honoured until its lease expires, then taken over', async () => {
    const store = new Keyv({ store: new Map() });
    const clock = new ManualClock();
    const expiresAt = clock.now() + 20_000;
    await store.set('owner', { v: 1, owner: 'other', expiresAt, host: 'elsewhere', pid: 1 });
    const refused = await createRelock({ ...recorder().options, store, clock }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StoreInUseError);
    expect((refused as Error).message).toMatch(/expires in 20 s/);
    await clock.advance(20_000);
    await start({ ...recorder().options, store, clock });
    expect(await store.get('owner')).toMatchObject({ host: hostname(), pid: process.pid });
  });

  it('(10.5) the owner record of a dead process on this host is taken over at once', async () => {
    const store = new Keyv({ store: new Map() });
    const clock = new ManualClock();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    const mine = await start({ ...recorder().options, store, clock });
    const record = (await store.get('owner')) as Record<string, unknown>;
    await mine.stop();
    await store.set('owner', { ...record, owner: 'crashed', pid: dead, expiresAt: clock.now() + 3_600_000 });
    await start({ ...recorder().options, store, clock });
    expect(await store.get('owner')).toMatchObject({ pid: process.pid });
  });

  it('(10.5) a system whose store was taken over stops firing: error logged, store.lost emitted, no command', async () => {
    const store = new Keyv({ store: new Map() });
    const clock = new ManualClock();
    const a = recorder();
    const relock = await start({ ...a.options, store, clock });
    const events: RelockEvent[] = [];
    relock.subscribe((event) => events.push(event));
    await relock.addLock(front);
    relock.reportLockState('front', 'unlocked');
    await clock.advance(0);
    expect(relock.status('front').running).toBe(true);

    // another system took the store over while this one was paused past its lease
    await store.set('owner', {
      v: 1,
      owner: 'usurper',
      expiresAt: clock.now() + 30_000,
      host: 'elsewhere',
      pid: 7,
    });
    await clock.advance(10 * MINUTE);
    expect(a.commands).toEqual([]);
    expect(events).toContainEqual(expect.objectContaining({ type: 'store.lost' }));
    expect(a.errors.join('\n')).toMatch(/taken over the store a Keyv \(Map, namespace keyv\)/);
    expect(() => relock.status('front')).toThrow(SystemStoppedError);
    // its record is not the stopped system's to remove
    expect(await store.get('owner')).toMatchObject({ owner: 'usurper' });
  });

  it('(10.5) the lease is renewed on the injected clock before it expires', async () => {
    const store = new Keyv({ store: new Map() });
    const clock = new ManualClock();
    await start({ ...recorder().options, store, clock, storeLeaseMs: 6_000 });
    for (let i = 0; i < 5; i++) {
      await clock.advance(5_000);
      await expect(createRelock({ ...recorder().options, store, clock })).rejects.toThrow(StoreInUseError);
    }
  });

  it('(10.5) storeLeaseMs must be an integer number of milliseconds from 1000 to one day', async () => {
    for (const bad of [0, 999, 1.5, '30000', 86_400_001]) {
      await expect(createRelock({ ...recorder().options, storeLeaseMs: bad as number })).rejects.toThrow(
        new InvalidArgumentError('storeLeaseMs', bad, 'x').message.split(' (')[0],
      );
    }
  });

  it('(10.21) after stop() no timer of relock is left on the clock', async () => {
    const store = new Keyv({ store: new Map() });
    const clock = new ManualClock();
    const relock = await createRelock({ ...recorder().options, store, clock });
    await relock.addLock(front);
    await clock.advance(MINUTE);
    await relock.stop();
    expect(clock.pending).toBe(0);
  });

  it('(10.5) two systems started at the same moment on one sqlite:// file in one process: exactly one starts', async () => {
    const url = `sqlite://${sqliteFile()}`;
    const clock = new ManualClock();
    const results = await Promise.allSettled([
      createRelock({ ...recorder().options, store: url, clock }),
      createRelock({ ...recorder().options, store: url, clock }),
    ]);
    for (const result of results) if (result.status === 'fulfilled') running.push(result.value);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: expect.any(StoreInUseError) });
  });

  it('(10.5) an unreadable owner record is taken over with a warning', async () => {
    const store = new Keyv({ store: new Map() });
    await store.set('owner', { owner: 42 });
    const r = recorder();
    await start({ ...r.options, store, clock: new ManualClock() });
    expect(r.warnings.join('\n')).toMatch(/owner record is unreadable/);
    expect(await store.get('owner')).toMatchObject({ v: 1, pid: process.pid });
  });

  it('(10.5) a store that fails at start-up: a passing failure is retried, a lasting one refuses the start with a StoreError', async () => {
    const map = new FaultyMap();
    const store = new Keyv({ store: map });
    const clock = new ManualClock();
    map.failNext('get');
    map.failNext('set');
    const relock = await createRelock({ ...recorder().options, store, clock });
    await relock.stop();
    map.down = true;
    const refused = await createRelock({ ...recorder().options, store, clock }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StoreError);
    expect(refused).toMatchObject({ key: 'owner', operation: 'read' });
  });

  it('(10.5) a failing or hanging renewal is retried on the clock; a vanished record is written again', async () => {
    const map = new FaultyMap();
    const store = new Keyv({ store: map });
    const clock = new ManualClock();
    const r = recorder();
    await start({ ...r.options, store, clock, storeLeaseMs: 3_000 });
    map.failNext('get');
    await clock.advance(1_000);
    expect(r.warnings.join('\n')).toMatch(/Could not renew the store lease/);
    const release = map.holdNext('get');
    await clock.advance(1_000); // the renewal's read hangs ...
    await clock.advance(1_000); // ... and times out after a third of the lease
    expect(r.warnings.filter((w) => /Could not renew/.test(w))).toHaveLength(2);
    release();
    map.seed('keyv:owner', undefined);
    await clock.advance(1_000);
    expect(r.warnings.join('\n')).toMatch(/owner record was gone; writing it again/);
    expect(await store.get('owner')).toMatchObject({ pid: process.pid, expiresAt: clock.now() + 3_000 });
    expect(r.errors).toEqual([]);
  });

  it('(10.5) a release that keeps failing leaves the claim to its lease, and a new system of this process takes it over', async () => {
    const map = new FaultyMap();
    const store = new Keyv({ store: map });
    const clock = new ManualClock();
    const r = recorder();
    const relock = await createRelock({ ...r.options, store, clock });
    map.failNext('get', 3);
    await relock.stop();
    expect(r.warnings.join('\n')).toMatch(/Could not release the store/);
    expect(await store.get('owner')).toMatchObject({ pid: process.pid });
    await start({ ...recorder().options, store, clock });
  });
});
