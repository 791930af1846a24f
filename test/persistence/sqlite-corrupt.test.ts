import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Keyv from 'keyv';
import { afterEach, describe, expect, it } from 'vitest';
import { createKeyvStore } from '../../src/persistence/keyv-store.js';
import { timerHarness } from '../support/timer-harness.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** The @keyv/sqlite adapter under relock's Keyv, to write raw text past keyv's serializer. */
interface RawAdapter {
  set(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<unknown>;
}

async function sqliteBench() {
  const dir = mkdtempSync(join(tmpdir(), 'relock-corrupt-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const store: Keyv = await createKeyvStore(`sqlite://${join(dir, 'relock.sqlite')}`);
  cleanups.push(() => store.disconnect());
  const h = await timerHarness({ store });
  cleanups.push(() => h.stop());
  return { h, adapter: store.opts.store as RawAdapter };
}

describe('unparsable values on @keyv/sqlite', () => {
  it.each([
    ['{not json', '{not json'],
    ['an empty string', ''],
  ])('(10.6) %s under timer:<id> in a sqlite:// store is pruned, and the timer recovers DONE', async (_name, text) => {
    const { h, adapter } = await sqliteBench();
    await adapter.set('relock:timer:front', text);
    const timer = h.newTimer('front');
    await timer.recover();
    await h.persistence.flush();
    expect(timer.status().state).toBe('DONE');
    expect(await adapter.get('relock:timer:front')).toBeUndefined();
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'store.pruned', key: 'timer:front' }));
    expect(h.events).not.toContainEqual(expect.objectContaining({ type: 'store.error' }));
  });
});
