import Keyv from 'keyv';
import { describe, expect, it } from 'vitest';
import { markUnparsableValues, UnparsableValueError } from '../../src/persistence/unparsable-value.js';

describe('marking unparsable values', () => {
  it('(10.6) a value that cannot be deserialized throws a named error whose message never quotes the text', async () => {
    const map = new Map<string, unknown>();
    const store = new Keyv({ store: map, throwOnErrors: true });
    markUnparsableValues(store);
    markUnparsableValues(store); // idempotent: one wrapper
    await store.set('ok', { pin: 1 });
    expect(await store.get('ok')).toEqual({ pin: 1 });
    map.set('keyv:bad', '{"value":{"pin":"482913"');
    const error = await store.get('bad').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnparsableValueError);
    expect(String((error as Error).message)).not.toContain('482913');
    expect((error as UnparsableValueError).reason).toBe('unparsable: SyntaxError');
  });

  it("(10.6) a host's async deserializer is marked too, and what it reads is unchanged", async () => {
    const map = new Map<string, unknown>();
    const store = new Keyv({
      store: map,
      throwOnErrors: true,
      serialize: JSON.stringify,
      deserialize: async (text: string) => JSON.parse(text),
    });
    markUnparsableValues(store);
    await store.set('ok', [1, 2]);
    expect(await store.get('ok')).toEqual([1, 2]);
    map.set('keyv:empty', '');
    await expect(store.get('empty')).rejects.toBeInstanceOf(UnparsableValueError);
    map.set('keyv:number', '7');
    await expect(store.get('number')).rejects.toMatchObject({ reason: 'not a keyv record: number' });
  });
});
