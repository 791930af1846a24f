/**
 * relock on a real Redis (`store: 'redis://…'`), against Debian's `redis-server` started by the
 * test on 127.0.0.1 (test/support/redis-server.ts); skipped, saying so, where it is not installed.
 *
 * Pinned here: the quick-start cycle on Redis (owner record claimed, entry written, fired,
 * cleared, store closed at stop); a restart replays an entry left behind; a relock process killed
 * with SIGKILL leaves an entry a new process replays exactly once; a second system on the same
 * Redis database is refused (`StoreInUseError`), in this process and from another; Redis stopped
 * or paused mid-run is a reported store failure (`store.error`), never a hang, and the autolock
 * still fires; an unreachable or refusing Redis fails the open with a typed error; no error, log
 * line or event shows the password of the URL. A host's own Keyv on @keyv/redis with its defaults
 * (commands queued while Redis is down) is bounded by `storeTimeoutMs`: a store.error, not a wait.
 * Time is a ManualClock; Redis round-trips are real.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import KeyvRedis, { createClient } from '@keyv/redis';
import Keyv from 'keyv';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock/manual-clock.js';
import { StoreError, StoreInUseError } from '../../src/errors.js';
import type { RelockEvent } from '../../src/events.js';
import type { Logger } from '../../src/logger.js';
import { createRelock, type RelockOptions } from '../../src/relock.js';
import { buildChildScript } from '../support/child-script.js';
import { describeWithRedis, type RedisServer, startRedis } from '../support/redis-server.js';

const PASSWORD = 'pw-s3cret-7731';
const START = Date.UTC(2026, 5, 1, 12, 0, 0);
const FRONT = { id: 'front', name: 'Front Door', autolock: { enabled: true, dayMinutes: 5, nightMinutes: 5 } };

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` in real time; the limit only catches a hang (a loopback Redis answers in ms). */
async function until(what: string, check: () => Promise<boolean> | boolean, limitMs = 15_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`still waiting for ${what} after ${limitMs} ms`);
    await sleep(20);
  }
}

/** A client of the test's own, to look at what relock stored. */
async function connect(url: string) {
  const client = createClient({ url });
  client.on('error', () => {});
  await client.connect();
  return client;
}
type RawClient = Awaited<ReturnType<typeof connect>>;

/** How many clients the server has connected (this test's own inspection client included). */
async function clientCount(raw: RawClient): Promise<number> {
  const list = String(await raw.sendCommand(['CLIENT', 'LIST']));
  return list.split('\n').filter((line) => line.trim() !== '').length;
}

/** A port nothing listens on (the kernel's free port, closed again). */
function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address !== null ? address.port : 1));
    });
  });
}

async function system(store: RelockOptions['store'], clock: ManualClock, options: Partial<RelockOptions> = {}) {
  const commands: string[] = [];
  const events: RelockEvent[] = [];
  const lines: string[] = [];
  const line =
    (level: string) =>
    (message: string, fields?: object): void => {
      lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
    };
  const logger: Logger = { debug: line('debug'), info: line('info'), warn: line('warn'), error: line('error') };
  const relock = await createRelock({
    store,
    clock,
    logger,
    driver: {
      async lock(lock) {
        commands.push(lock.id);
      },
    },
    ...options,
  });
  relock.subscribe((event) => events.push(event));
  return { relock, commands, events, lines };
}

async function storedTimer(raw: RawClient, id: string): Promise<{ endsAt: string; v: number } | undefined> {
  const text = await raw.get(`relock:timer:${id}`);
  return text === null ? undefined : (JSON.parse(text) as { value: { endsAt: string; v: number } }).value;
}

describeWithRedis('relock on a real Redis', () => {
  let server: RedisServer;
  let raw: RawClient;
  let childFile: string;

  beforeAll(async () => {
    [server, childFile] = await Promise.all([
      startRedis({ password: PASSWORD }),
      buildChildScript('test/persistence/redis-store-child.ts'),
    ]);
    raw = await connect(server.url);
  });
  afterAll(async () => {
    raw?.destroy();
    await server?.stop();
  });
  beforeEach(async () => {
    await raw.flushAll();
  });

  it('the quick-start cycle: owner claimed, countdown durable in Redis, fired, cleared, store closed at stop', async () => {
    const clock = new ManualClock(START);
    const s = await system(server.url, clock);
    clock.settleWith(() => s.relock.flush());
    const owner = JSON.parse((await raw.get('relock:owner')) ?? 'null') as { value: { pid: number } } | null;
    expect(owner?.value.pid).toBe(process.pid);
    await until('relock and this test to be the only clients', async () => (await clientCount(raw)) === 2);

    await s.relock.addLock(FRONT);
    s.relock.reportLockState('front', 'unlocked');
    await clock.advance(0);
    const { endsAt } = s.relock.status('front');
    expect(endsAt).toBe(START + 5 * 60_000);
    expect(await storedTimer(raw, 'front')).toEqual({
      v: 1,
      endsAt: new Date(START + 5 * 60_000).toISOString(),
      durationSeconds: 300,
    });

    await clock.advance(5 * 60_000 - 1);
    expect(s.commands).toEqual([]);
    await clock.advance(1);
    expect(s.commands).toEqual(['front']);
    s.relock.reportLockState('front', 'locked');
    await clock.advance(0);
    expect(s.events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['autolock.started', 'autolock.fired', 'autolock.confirmed']),
    );
    expect(await raw.exists('relock:timer:front')).toBe(0);
    expect(await raw.exists('relock:lock:front')).toBe(1);

    await s.relock.stop();
    expect(await raw.exists('relock:owner')).toBe(0);
    await until('the store connection to close', async () => (await clientCount(raw)) === 1);
    expect(s.events.filter((e) => e.type === 'store.error')).toEqual([]);
    expect(s.lines.join('\n')).not.toContain(PASSWORD);
  });

  it('a new system on the same Redis replays an entry left behind, once', async () => {
    const first = await system(server.url, new ManualClock(START));
    await first.relock.addLock(FRONT);
    first.relock.reportLockState('front', 'unlocked');
    await first.relock.flush();
    await first.relock.stop();
    expect(first.commands).toEqual([]);
    expect(await storedTimer(raw, 'front')).toMatchObject({ endsAt: new Date(START + 5 * 60_000).toISOString() });

    // started after the deadline: the entry is overdue and fires at once
    const clock = new ManualClock(START + 10 * 60_000);
    const second = await system(server.url, clock);
    clock.settleWith(() => second.relock.flush());
    await second.relock.addLock(FRONT);
    await clock.advance(0);
    expect(second.commands).toEqual(['front']);
    second.relock.reportLockState('front', 'locked');
    await clock.advance(0);
    expect(await raw.exists('relock:timer:front')).toBe(0);
    await second.relock.stop();

    const thirdClock = new ManualClock(START + 20 * 60_000);
    const third = await system(server.url, thirdClock);
    thirdClock.settleWith(() => third.relock.flush());
    await third.relock.addLock(FRONT);
    await thirdClock.advance(3_600_000);
    expect(third.commands).toEqual([]);
    await third.relock.stop();
  });

  it('a second system on the same Redis database is refused with StoreInUseError, naming the store without its password', async () => {
    const clock = new ManualClock(START);
    const first = await system(server.url, clock);
    const lines: string[] = [];
    const record = (message: string, fields?: object): void => {
      lines.push(`${message} ${JSON.stringify(fields ?? {})}`);
    };
    // the same database spelled another way (`/0` is the default) is the same store
    for (const url of [server.url, `${server.url}/0`]) {
      const refused = await createRelock({
        store: url,
        clock,
        logger: { debug: record, info: record, warn: record, error: record },
        driver: { lock: async () => {} },
      }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(StoreInUseError);
      expect((refused as StoreInUseError).store).toBe(
        `redis://:***@127.0.0.1:${server.port}${url.endsWith('/0') ? '/0' : ''}`,
      );
      expect((refused as Error).message).toContain(`The store redis://:***@127.0.0.1:${server.port}`);
      expect((refused as Error).message).not.toContain(PASSWORD);
    }
    expect(lines.join('\n')).not.toContain(PASSWORD);

    await first.relock.stop();
    // two started together in one process: one of them gets the store, the other is refused
    const together = await Promise.allSettled([system(server.url, clock), system(`${server.url}/0`, clock)]);
    expect(together.filter((r) => r.status === 'rejected').map((r) => r.reason)).toEqual([expect.any(StoreInUseError)]);
    const winner = together.find((r) => r.status === 'fulfilled');
    await winner?.value.relock.stop();

    // another database of the same server is another store
    const held = await system(server.url, clock);
    const other = await system(`${server.url}/1`, clock);
    await other.relock.stop();
    await held.relock.stop();
    const next = await system(server.url, clock);
    await next.relock.stop();
  });

  it('a relock process killed with SIGKILL leaves its entry; a new process replays it exactly once', async () => {
    const child = spawn(process.execPath, [childFile, server.url, String(START)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    const exited = new Promise<NodeJS.Signals | null>((resolve) =>
      child.once('exit', (_code, signal) => resolve(signal)),
    );
    try {
      await until('the child to arm its autolock', () => out.includes('armed ') || child.exitCode !== null);
      expect(err).toBe('');
      const armedAt = Number(/armed (\d+)/.exec(out)?.[1]);
      expect(armedAt).toBe(START + 5 * 60_000);

      // while the child runs, the store is its own: this process is refused
      const refused = await createRelock({
        store: server.url,
        clock: new ManualClock(START),
        logger: { debug() {}, info() {}, warn() {}, error() {} },
        driver: { lock: async () => {} },
      }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(StoreInUseError);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    expect(await exited).toBe('SIGKILL');
    expect(out).not.toContain('command');

    // mid-countdown: the dead process's claim (a day-long lease) is taken over at once
    const clock = new ManualClock(START + 60_000);
    const next = await system(server.url, clock);
    clock.settleWith(() => next.relock.flush());
    expect(next.lines.some((line) => line.includes('Taking over the store from a relock system that is gone'))).toBe(
      true,
    );
    await next.relock.addLock(FRONT);
    await clock.advance(0);
    expect(next.relock.status('front')).toMatchObject({ autolock: 'counting-down', endsAt: START + 5 * 60_000 });
    await clock.advance(4 * 60_000);
    expect(next.commands).toEqual(['front']);
    next.relock.reportLockState('front', 'locked');
    await clock.advance(3_600_000);
    expect(next.commands).toEqual(['front']);
    expect(await raw.exists('relock:timer:front')).toBe(0);
    await next.relock.stop();
    expect(next.lines.join('\n')).not.toContain(PASSWORD);
  });

  it('an unreachable Redis, a wrong password or an unknown database fails the open with a StoreError, no password shown', async () => {
    const port = await closedPort();
    const cases: Array<[string, string]> = [
      [`redis://:${PASSWORD}@127.0.0.1:${port}`, `redis://:***@127.0.0.1:${port}`],
      [`redis://:wrong-${PASSWORD}@127.0.0.1:${server.port}`, `redis://:***@127.0.0.1:${server.port}`],
      [`${server.url}/99`, `redis://:***@127.0.0.1:${server.port}/99`],
    ];
    for (const [url, shown] of cases) {
      const error = await createRelock({
        store: url,
        clock: new ManualClock(START),
        logger: { debug() {}, info() {}, warn() {}, error() {} },
        driver: { lock: async () => {} },
      }).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(StoreError);
      expect(error).toMatchObject({ operation: 'open', key: shown });
      expect((error as Error).message).toContain(`Store open of ${JSON.stringify(shown)} failed: `);
      expect((error as Error).message).toContain('check the store option');
      let link: unknown = error;
      for (let depth = 0; link instanceof Error && depth < 5; depth++, link = link.cause) {
        expect(`${link.message} ${link.stack ?? ''}`).not.toContain(PASSWORD);
      }
    }
    // a failed open leaves no connection behind
    await until('only this test to be connected', async () => (await clientCount(raw)) === 1);
  });
});

describeWithRedis('relock when its Redis goes away', () => {
  let own: RedisServer | undefined;
  let raw: RawClient | undefined;
  afterAll(async () => {
    raw?.destroy();
    await own?.stop();
  });

  it('Redis stopped mid-run: each failing call is a store.error at once, no hang; the countdown fires, and once Redis is back the entry is written again and cleared', async () => {
    own = await startRedis();
    raw = await connect(own.url);
    const clock = new ManualClock(START);
    const s = await system(own.url, clock);
    clock.settleWith(() => s.relock.flush());
    await s.relock.addLock({ ...FRONT, autolock: { enabled: true, dayMinutes: 10, nightMinutes: 10 } });

    // Redis goes away before the unlock: the countdown's entry cannot be written
    await own.stop();
    s.relock.reportLockState('front', 'unlocked');
    await clock.advance(0);
    expect(s.events).toContainEqual(
      expect.objectContaining({ type: 'store.error', key: 'timer:front', operation: 'write' }),
    );
    expect(s.relock.status('front').endsAt).toBe(START + 10 * 60_000);
    // relock goes on answering and retrying while Redis is down
    await clock.advance(30_000);
    const failures = s.events.filter((e) => e.type === 'store.error' && e.key === 'timer:front').length;
    expect(failures).toBeGreaterThan(1);

    // Redis comes back empty (no persistence); the client reconnects by itself
    await own.restart();
    await until('relock to reconnect', async () => (await clientCount(raw as RawClient)) === 2);
    await clock.advance(60_000); // the longest store retry backoff
    expect(await storedTimer(raw, 'front')).toMatchObject({ endsAt: new Date(START + 10 * 60_000).toISOString() });
    // the owner record, gone with the restart, is written again at the next renewal
    await clock.advance(10_000);
    expect(await raw.exists('relock:owner')).toBe(1);

    await clock.advance(10 * 60_000 - 100_000 - 1);
    expect(s.commands).toEqual([]);
    // Redis goes away again: the deadline still fires (from memory), once
    await own.stop();
    const before = s.events.length;
    await clock.advance(1);
    expect(s.commands).toEqual(['front']);
    expect(s.events.slice(before)).toContainEqual(expect.objectContaining({ type: 'store.error', key: 'timer:front' }));
    s.relock.reportLockState('front', 'locked');
    await clock.advance(0);
    expect(s.relock.status('front').autolock).toBe('ending');

    await own.restart();
    await until('relock to reconnect', async () => (await clientCount(raw as RawClient)) === 2);
    await clock.advance(60_000);
    expect(s.relock.status('front').autolock).toBe('idle');
    await clock.advance(3_600_000);
    expect(s.commands).toEqual(['front']);
    expect(await raw.exists('relock:timer:front')).toBe(0);
    await s.relock.stop();
  });

  it('Redis paused (a call sent and never answered): after storeTimeoutMs a store.error, no hang; the autolock fires; stop() resolves while it is paused', async () => {
    own ??= await startRedis();
    const clock = new ManualClock(START);
    const s = await system(own.url, clock, { storeTimeoutMs: 5_000 });
    await s.relock.addLock(FRONT);
    await s.relock.flush();

    own.pause();
    s.relock.reportLockState('front', 'unlocked');
    await clock.advance(0);
    await sleep(50); // the write is on the wire; Redis does not answer
    expect(s.events.filter((e) => e.type === 'store.error')).toEqual([]);
    await clock.advance(5_000);
    expect(s.events).toContainEqual(
      expect.objectContaining({ type: 'store.error', key: 'timer:front', operation: 'write' }),
    );
    expect(s.relock.status('front').endsAt).toBe(START + 5 * 60_000);

    own.resume();
    await s.relock.flush(); // the late write answers
    await clock.advance(60_000);
    await s.relock.flush();
    const check = await connect(own.url);
    try {
      expect(await storedTimer(check, 'front')).toMatchObject({ endsAt: new Date(START + 5 * 60_000).toISOString() });
    } finally {
      check.destroy();
    }
    await clock.advance(4 * 60_000);
    await s.relock.flush();
    expect(s.commands).toEqual(['front']);

    own.pause();
    let stopped = false;
    const stop = s.relock.stop().then(() => {
      stopped = true;
    });
    // every store call of the stop is bounded on relock's clock
    for (let i = 0; i < 100 && !stopped; i++) {
      await clock.advance(5_000);
      await sleep(5);
    }
    await stop;
    expect(stopped).toBe(true);
    own.resume();
    expect(s.commands).toEqual(['front']);
  });

  it("a host's own Keyv on @keyv/redis (commands queued while Redis is down, its default): the queued write counts as failed after storeTimeoutMs, no hang; once Redis is back the entry is durable", async () => {
    // a server of its own: the tests before paused and resumed theirs
    const mine = await startRedis();
    // the default offline queue, and a reconnect every 100 ms: the client's default backoff grows
    // during the outage, so how soon it is back would depend on how long the outage took here
    const adapter = new KeyvRedis({ url: mine.url, socket: { reconnectStrategy: () => 100 } });
    adapter.on('error', () => {});
    const keyv = new Keyv({ store: adapter, namespace: 'host' });
    try {
      const clock = new ManualClock(START);
      const s = await system(keyv, clock);
      await s.relock.addLock(FRONT);
      await s.relock.flush();

      await mine.stop();
      s.relock.reportLockState('front', 'unlocked');
      await clock.advance(0);
      await sleep(100);
      // @keyv/redis holds the write until Redis is back: nothing has failed yet
      expect(s.events.filter((e) => e.type === 'store.error')).toEqual([]);
      await clock.advance(10_000); // the default storeTimeoutMs
      expect(s.events).toContainEqual(
        expect.objectContaining({ type: 'store.error', key: 'timer:front', operation: 'write' }),
      );
      expect(s.relock.status('front').endsAt).toBe(START + 5 * 60_000);

      await mine.restart();
      // a call made now waits in the queue until the client has reconnected
      await keyv.get('probe');
      await s.relock.flush();
      await clock.advance(60_000);
      await s.relock.flush();
      expect(await keyv.get('timer:front')).toMatchObject({ endsAt: new Date(START + 5 * 60_000).toISOString() });
      await clock.advance(4 * 60_000);
      await s.relock.flush();
      expect(s.commands).toEqual(['front']);
      await s.relock.stop();
    } finally {
      await keyv.disconnect();
      await mine.stop();
    }
  });
});
