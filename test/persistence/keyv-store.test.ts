import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Keyv from 'keyv';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock/manual-clock.js';
import { InvalidArgumentError, StoreError } from '../../src/errors.js';
import { createKeyvStore } from '../../src/persistence/keyv-store.js';
import { createRelock } from '../../src/relock.js';
import { relockHarness } from '../support/relock-harness.js';

const scratch = mkdtempSync(join(tmpdir(), 'relock-keyv-store-'));
afterAll(() => {
  chmodSync(scratch, 0o700);
  rmSync(scratch, { recursive: true, force: true });
});

const caught = async (run: () => Promise<unknown>): Promise<unknown> => {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
};

describe('(10.16) a host Keyv with a ttl', () => {
  it('(10.16) a Keyv with a ttl is refused, naming store.ttl and the ttl', async () => {
    const error = await caught(() => createKeyvStore(new Keyv({ ttl: 60_000 })));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).field).toBe('store.ttl');
    expect((error as InvalidArgumentError).value).toBe(60_000);
    expect((error as Error).message).toMatch(/Invalid store\.ttl: 60000 \(expected no ttl/);
  });

  it('(10.16) createRelock refuses it too, and a ttl set on the Keyv later is refused the same way', async () => {
    const keyv = new Keyv();
    keyv.ttl = 1000;
    await expect(
      createRelock({ driver: { lock: async () => {} }, clock: new ManualClock(), store: keyv }),
    ).rejects.toThrow(/store\.ttl: 1000/);
  });

  it('(10.16) a Keyv without a ttl (or ttl 0, which keyv reads as none) is used as given, throwing on errors', async () => {
    for (const keyv of [new Keyv(), new Keyv({ ttl: 0 })]) {
      const store = await createKeyvStore(keyv);
      expect(store).toBe(keyv);
      expect(store.throwOnErrors).toBe(true);
      await store.set('k', 1);
      expect(await store.get('k')).toBe(1);
    }
  });
});

describe('(10.15) opening a sqlite:// store', () => {
  it('(10.15) a sqlite:// file in a missing folder is opened, the folder created', async () => {
    const url = `sqlite://${join(scratch, 'missing', 'deeper', 'relock.sqlite')}`;
    const store = await createKeyvStore(url);
    await store.set('k', { v: 1 });
    expect(await store.get('k')).toEqual({ v: 1 });
    await store.disconnect();
  });

  const unopenable: Array<[string, () => string]> = [
    [
      'a folder where the file should be',
      () => {
        const dir = join(scratch, 'a-folder.sqlite');
        mkdirSync(dir, { recursive: true });
        return dir;
      },
    ],
    [
      'a file where a folder should be',
      () => {
        const file = join(scratch, 'plain-file');
        writeFileSync(file, 'x');
        return join(file, 'relock.sqlite');
      },
    ],
  ];
  if (process.getuid?.() !== 0) {
    unopenable.push([
      'an unwritable folder',
      () => {
        const dir = join(scratch, 'read-only');
        mkdirSync(dir, { recursive: true });
        chmodSync(dir, 0o500);
        return join(dir, 'relock.sqlite');
      },
    ]);
  }

  it.each(unopenable)('(10.15) %s raises a StoreError naming the store and what to do', async (_name, place) => {
    const path = place();
    const url = `sqlite://${path}`;
    const error = await caught(() => createKeyvStore(url));
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).operation).toBe('open');
    expect((error as StoreError).key).toBe(url);
    expect((error as Error).message).toContain(`Store open of ${JSON.stringify(url)} failed`);
    expect((error as Error).message).toMatch(/check that/);
    expect((error as StoreError).cause).toBeDefined();
  });
});

describe("(10.15) a store error's message", () => {
  it('(10.15) a StoreError made from another store error, or from its message, does not repeat it', () => {
    const inner = new StoreError('write', 'timer:a', new Error('disk full'));
    expect(inner.message).toBe('Store write of "timer:a" failed: disk full');
    expect(new StoreError('write', 'timer:a', inner).message).toBe(inner.message);
    expect(new StoreError('write', 'timer:a', new Error(inner.message)).message).toBe(inner.message);
    // a different operation or key is a different story, kept whole
    expect(new StoreError('read', 'timer:a', inner).message).toBe(`Store read of "timer:a" failed: ${inner.message}`);
  });

  it('(10.15) a start whose entry write fails rejects with the store error once, not doubled', async () => {
    const h = await relockHarness();
    await h.relock.addLock({ id: 'a', name: 'A' });
    h.map.failNext('set', 1);
    const error = await caught(() => h.relock.startAutolock('a', 60));
    expect(error).toBeInstanceOf(StoreError);
    const message = (error as Error).message;
    expect(message.match(/failed:/g)).toHaveLength(1);
    expect(message).toMatch(/^Store write of "timer:a" failed: simulated store failure/);
    await h.relock.stop();
  });
});
