import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Keyv from 'keyv';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock/manual-clock.js';
import { createKeyvStore } from '../../src/persistence/keyv-store.js';
import { timerHarness } from '../support/timer-harness.js';

const dirs: string[] = [];
const stores: Keyv[] = [];
afterEach(async () => {
  for (const store of stores.splice(0)) await store.disconnect().catch(() => {});
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function sqliteStore(file: string): Promise<Keyv> {
  const store = await createKeyvStore(`sqlite://${file}`);
  stores.push(store);
  return store;
}

describe('durability on @keyv/sqlite', () => {
  it('T21 the timer survives a real restart: a new system on the same file fires at the original end time', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relock-'));
    dirs.push(dir);
    const file = join(dir, 'relock.sqlite');
    const clock = new ManualClock();

    const first = await timerHarness({ store: await sqliteStore(file), clock });
    first.locks.set('front', { name: 'before-restart' });
    const timer = first.newTimer('front');
    await timer.recover();
    await timer.start(600);
    const endsAt = timer.status().endsAt;
    first.stop();
    await first.store.disconnect();

    await clock.advance(200_000);
    const second = await timerHarness({ store: await sqliteStore(file), clock });
    second.locks.set('front', { name: 'after-restart' });
    const recovered = second.newTimer('front');
    await recovered.recover();
    expect(recovered.status()).toMatchObject({ state: 'ACTIVE', running: true, endsAt, durationSeconds: 600 });
    await clock.advance(400_000 - 1);
    expect(second.commands).toEqual([]);
    await clock.advance(1);
    await second.persistence.flush();
    expect(second.commands).toEqual(['front@after-restart']);
    expect(first.commands).toEqual([]);
    expect(await second.stored('front')).toBeUndefined();
    second.stop();
  });
});
