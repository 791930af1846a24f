import { afterEach, describe, expect, it } from 'vitest';
import { createLockStore } from '../../src/persistence/lock-store.js';
import { timerHarness } from '../support/timer-harness.js';

type Harness = Awaited<ReturnType<typeof timerHarness>>;
let harness: Harness | undefined;
const bench = async () => {
  harness = await timerHarness();
  return harness;
};
afterEach(() => {
  harness?.stop();
  harness = undefined;
});

/** The key keyv gives a relock key in a store with keyv's default namespace. */
const raw = (key: string): string => `keyv:${key}`;

describe('unparsable values', () => {
  it.each([
    ['{not json', '{not json'],
    ['an empty string', ''],
    ['a bare number', '42'],
  ])(
    '(10.6) %s under timer:<id> is pruned with a warning and store.pruned, and the timer recovers DONE',
    async (_name, text) => {
      const h = await bench();
      h.map.seed(raw('timer:front'), text);
      const timer = h.newTimer('front');
      await timer.recover();
      await h.persistence.flush();
      expect(timer.status().state).toBe('DONE');
      expect(h.map.has(raw('timer:front'))).toBe(false);
      expect(h.warnings).toEqual(['Pruning a corrupt timer entry']);
      expect(h.events).toContainEqual(expect.objectContaining({ type: 'store.pruned', key: 'timer:front' }));
      expect(h.events).not.toContainEqual(expect.objectContaining({ type: 'store.error' }));
    },
  );

  it('(10.6) an unparsable lock record is pruned and read as absent, and its reason never shows the stored text', async () => {
    const h = await bench();
    const pruned: unknown[] = [];
    const locks = createLockStore(
      h.persistence,
      { debug() {}, info() {}, warn: (...args) => pruned.push(args), error() {} },
      (event) => pruned.push(event),
    );
    h.map.seed(raw('lock:front'), '{"value":{"v":1,"config":{"codeSlots":[{"pin":"482913"');
    h.map.seed(raw('lock:back'), '');
    const [front, back] = await locks.readMany(['front', 'back']);
    expect(front).toEqual({ value: null });
    expect(back).toEqual({ value: null });
    expect(await locks.read('front')).toBeNull();
    await h.persistence.flush();
    expect(h.map.has(raw('lock:front'))).toBe(false);
    expect(h.map.has(raw('lock:back'))).toBe(false);
    expect(pruned).toContainEqual(expect.objectContaining({ type: 'store.pruned', key: 'lock:front' }));
    expect(JSON.stringify(pruned)).not.toContain('482913');
  });

  it('(10.6) a store that fails a read still throws a StoreError: it is not taken for a corrupt value', async () => {
    const h = await bench();
    h.map.seed(raw('timer:front'), '{not json');
    h.map.failNext('get');
    await expect(h.timerStore.read('front')).rejects.toMatchObject({ code: 'STORE_ERROR', operation: 'read' });
    expect(h.map.has(raw('timer:front'))).toBe(true);
    expect(h.events).not.toContainEqual(expect.objectContaining({ type: 'store.pruned' }));
  });
});

describe('records of a newer format', () => {
  it('(10.7) a lock record of a newer format is kept untouched and reported, and its read throws a StoreError', async () => {
    const h = await bench();
    const seen: unknown[] = [];
    const warnings: string[] = [];
    const locks = createLockStore(
      h.persistence,
      { debug() {}, info() {}, warn: (message) => warnings.push(message), error() {} },
      (event) => seen.push(event),
    );
    const newer = { v: 2, config: { id: 'front', codeSlots: [{ pin: '482913' }] }, runtime: {} };
    await h.store.set('lock:front', newer);
    await expect(locks.read('front')).rejects.toMatchObject({
      code: 'STORE_ERROR',
      key: 'lock:front',
      operation: 'read',
    });
    const [result] = await locks.readMany(['front']);
    expect(result).toHaveProperty('error.code', 'STORE_ERROR');
    await h.persistence.flush();
    expect(await h.store.get('lock:front')).toEqual(newer);
    expect(seen).toEqual([{ type: 'store.unreadable', key: 'lock:front', reason: expect.stringContaining('newer') }]);
    expect(warnings).toEqual(['Keeping a lock record of a newer format']);
    expect(JSON.stringify(seen)).not.toContain('482913');
  });
});
