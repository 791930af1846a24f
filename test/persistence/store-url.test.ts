/**
 * Store URLs shown in errors, logs and events: a password or a query string never shows, a
 * malformed `redis://` URL is refused naming the field `store` and the URL without its secrets.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { createKeyvStore } from '../../src/persistence/keyv-store.js';
import { parseRedisUrl, redisIdentity, scrubbed } from '../../src/persistence/redis-store.js';
import { describeStore } from '../../src/persistence/store-owner.js';
import { redactStoreUrl } from '../../src/persistence/store-url.js';

describe('redactStoreUrl', () => {
  it.each([
    ['redis://:secret@127.0.0.1:6379/2', 'redis://:***@127.0.0.1:6379/2'],
    ['redis://user:secret@redis.local', 'redis://user:***@redis.local'],
    ['redis://secret@redis.local', 'redis://***@redis.local'],
    // malformed: an unescaped ?, @ or / inside the password still redacts the whole of it
    ['redis://:sec?ret@h:1', 'redis://:***@h:1'],
    ['redis://:se@c/ret@h:1/0', 'redis://:***@h:1/0'],
    ['redis://h:1?password=secret', 'redis://h:1?***'],
    ['rediss://u:secret@h#secret', 'rediss://u:***@h'],
  ])('%s is shown as %s', (url, shown) => {
    expect(redactStoreUrl(url)).toBe(shown);
    expect(redactStoreUrl(shown)).toBe(shown);
  });

  it('a URL without secrets, and a sqlite:// path with an @ in it, are shown as they are', () => {
    for (const url of ['redis://127.0.0.1:6379', 'redis://[::1]:6379/3', 'sqlite://./data/a@b.sqlite', 'memory']) {
      expect(redactStoreUrl(url)).toBe(url);
    }
  });
});

describe('parsing a redis:// store option', () => {
  it('host, port (default 6379) and database (default 0) are read; the identity names no password', () => {
    expect(parseRedisUrl('redis://:secret@127.0.0.1:6380/4')).toMatchObject({
      host: '127.0.0.1',
      port: 6380,
      db: 4,
      password: 'secret',
      shown: 'redis://:***@127.0.0.1:6380/4',
    });
    const plain = parseRedisUrl('redis://redis.local');
    expect(plain).toMatchObject({ port: 6379, db: 0, password: '' });
    expect(redisIdentity(parseRedisUrl('redis://u:p%40ss@Redis.Local:6379/0'))).toBe('redis://redis.local:6379/0');
    expect(parseRedisUrl('redis://:p%40ss@h').password).toBe('p@ss');
  });

  it.each([
    ['no host', 'redis://:secret@'],
    ['a port that is not a number', 'redis://:secret@127.0.0.1:port'],
    ['port 0', 'redis://:secret@127.0.0.1:0'],
    ['a port above 65535', 'redis://:secret@127.0.0.1:70000'],
    ['a database that is not a number', 'redis://:secret@127.0.0.1:6379/cache'],
    ['a database path with more in it', 'redis://:secret@127.0.0.1:6379/0/x'],
    ['a query string', 'redis://:secret@127.0.0.1:6379/0?password=secret'],
    ['a password that is not URL-encoded properly', 'redis://:secret%zz@127.0.0.1:6379'],
  ])('%s is an InvalidArgumentError on store, showing the URL without its password', async (_name, url) => {
    const error = await createKeyvStore(url).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).field).toBe('store');
    expect((error as Error).message).toMatch(
      /^Invalid store: "redis:\/\/(:\*\*\*@)?[^"]*" \(expected a Redis URL redis:\/\//,
    );
    expect(JSON.stringify((error as InvalidArgumentError).value)).not.toContain('secret');
    expect((error as Error).message).not.toContain('secret');
    expect((error as Error).stack).not.toContain('secret');
  });

  it('a store URL of no kind relock knows is refused without showing its password', async () => {
    const error = await createKeyvStore('rediss://:secret@redis.local:6380').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as Error).message).toBe(
      `Invalid store: "rediss://:***@redis.local:6380" (expected a Keyv instance, 'memory', a sqlite:// URL or a redis:// URL)`,
    );
  });

  it('describeStore names a store URL without its password', async () => {
    const keyv = await createKeyvStore('memory');
    expect(describeStore('redis://:secret@127.0.0.1:6379/1', keyv)).toBe('redis://:***@127.0.0.1:6379/1');
  });
});

describe('a malformed store URL', () => {
  it.each([
    ['leading whitespace', ' redis://:hunter2@localhost'],
    ["a typo'd scheme", 'redis:/:hunter2@localhost'],
    ['no scheme at all', 'user:hunter2@localhost'],
    ['a newline in the password', 'redis://:hun\nter2@localhost'],
    ['an @ and a / in the password', 'redis://:hun@te/r2@localhost'],
  ])('with %s never shows its password', (_what, url) => {
    const shown = redactStoreUrl(url);
    expect(shown).not.toMatch(/hun|ter2/);
    expect(shown).toMatch(/\*\*\*@localhost$/);
  });
});

describe('an error from the Redis client', () => {
  it('whose message holds the password (as given or URL-encoded) is replaced by one without it; any other is kept', () => {
    const leaky = new Error('AUTH p@ss failed (p%40ss)');
    const clean = scrubbed(leaky, 'p@ss');
    expect(clean).not.toBe(leaky);
    expect((clean as Error).message).toBe('AUTH *** failed (***)');
    const harmless = new Error('connect ECONNREFUSED 127.0.0.1:6379');
    expect(scrubbed(harmless, 'p@ss')).toBe(harmless);
    expect(scrubbed(harmless, '')).toBe(harmless);
  });
});
