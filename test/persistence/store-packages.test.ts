/**
 * `@keyv/sqlite` and `@keyv/redis` are optional peer dependencies: a store URL whose package is
 * not installed is a typed error saying what to install (made to happen through the loader seam,
 * with a real "module not found" from Node), never a raw import failure.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock/manual-clock.js';
import { StoreError } from '../../src/errors.js';
import { createKeyvStore } from '../../src/persistence/keyv-store.js';
import { replaceStorePackageLoader, StorePackageMissingError } from '../../src/persistence/store-packages.js';
import { createRelock } from '../../src/relock.js';

/** Node's own error for a package that is not installed. */
const notInstalled = (): Promise<unknown> => {
  const name = 'relock-test-package-that-is-not-installed';
  return import(name);
};

const undo: Array<() => void> = [];
afterEach(() => {
  for (const restore of undo.splice(0)) restore();
});

describe('a store package that is not installed', () => {
  it('sqlite:// without @keyv/sqlite: StorePackageMissingError saying to npm install @keyv/sqlite', async () => {
    undo.push(replaceStorePackageLoader('@keyv/sqlite', notInstalled));
    const error = await createKeyvStore('sqlite://./data/relock.sqlite').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorePackageMissingError);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).toMatchObject({ code: 'STORE_ERROR', operation: 'open', packageName: '@keyv/sqlite' });
    expect((error as Error).message).toContain(
      "store: 'sqlite://./data/relock.sqlite' needs the package @keyv/sqlite: npm install @keyv/sqlite",
    );
    // the loader's own error is kept for whoever debugs it
    expect(((error as Error).cause as Error).cause).toMatchObject({ code: 'ERR_MODULE_NOT_FOUND' });
  });

  it('redis:// without @keyv/redis: the same, and the URL shown has no password', async () => {
    undo.push(replaceStorePackageLoader('@keyv/redis', notInstalled));
    const error = await createRelock({
      driver: { lock: async () => {} },
      clock: new ManualClock(),
      store: 'redis://:secret@127.0.0.1:6379/0',
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StorePackageMissingError);
    expect((error as Error).message).toContain(
      "store: 'redis://:***@127.0.0.1:6379/0' needs the package @keyv/redis: npm install @keyv/redis",
    );
    expect((error as Error).message).not.toContain('secret');
  });

  it('a package that is there but fails to load is a StoreError on open with its cause, not "missing"', async () => {
    const broken = new Error('Could not locate the bindings file');
    undo.push(replaceStorePackageLoader('@keyv/sqlite', () => Promise.reject(broken)));
    const error = await createKeyvStore('sqlite://./data/relock.sqlite').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(StoreError);
    expect(error).not.toBeInstanceOf(StorePackageMissingError);
    expect((error as StoreError).cause).toBe(broken);
    expect((error as Error).message).toMatch(
      /Could not locate the bindings file; check that the package @keyv\/sqlite/,
    );
  });

  it('the seam is given back: the real package loads again', async () => {
    const restore = replaceStorePackageLoader('@keyv/sqlite', notInstalled);
    restore();
    const store = await createKeyvStore('sqlite://:memory:');
    await store.set('k', 1);
    expect(await store.get('k')).toBe(1);
    await store.disconnect();
  });
});
