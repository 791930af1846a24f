/**
 * checkDriverConformance: every rule of docs/driver-guide.md is a named check; a conforming driver
 * passes each, and a driver broken in one way fails the check of that rule (and only the checks
 * that follow from it). Drivers here talk to a hub simulated on a ManualClock, so every delay is
 * simulated time; the loopback HTTP tests use real I/O but never sleep.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpLockDriver } from '../../examples/http-driver.js';
import { ManualClock } from '../../src/clock/manual-clock.js';
import { parseLockConfig } from '../../src/model/lock-config.js';
import { Pin } from '../../src/model/pin.js';
import { seal } from '../../src/persistence/sealed.js';
import type { LockDriver, LockView } from '../../src/ports/lock-driver.js';
import {
  checkDriverConformance,
  DRIVER_RULES,
  type DriverCheckId,
  type DriverCheckOptions,
  type DriverReport,
} from '../../src/testing/driver-conformance.js';

const front: LockView = { id: 'front', name: 'Front' };
const back: LockView = { id: 'back', name: 'Back' };
const ghost: LockView = { id: 'ghost', name: 'Ghost' };
const ALL_IDS = Object.keys(DRIVER_RULES) as DriverCheckId[];
const TIMEOUT_MS = 1_000;
const GRACE_MS = 200;

interface HubOptions {
  /** How long the simulated hub takes to accept a command. */
  readonly latencyMs?: number;
  /** Look at `signal.aborted` before sending. */
  readonly checksAbortedFirst?: boolean;
  /** On an abort in flight: reject (true), go on and resolve (false), or never answer. */
  readonly onAbort?: 'reject' | 'ignore' | 'hang';
  /** How the hub answers for a lock it does not know. */
  readonly unknown?: 'reject' | 'reject-string' | 'reject-empty' | 'accept';
  /** Refuse a command while another is in flight. */
  readonly oneAtATime?: boolean;
  /** Refuse every command (hub offline). */
  readonly offline?: boolean;
  /** Runs on the view once the hub has accepted. */
  readonly touch?: (view: LockView) => void;
  /** What an error message says besides the lock's name. */
  readonly errorText?: string;
}

interface HubDriver extends LockDriver {
  readonly sent: string[];
  readonly views: LockView[];
}

/** A driver of a hub that answers after `latencyMs` of the ManualClock; conforming by default. */
function hubDriver(clock: ManualClock, options: HubOptions = {}): HubDriver {
  const {
    latencyMs = 50,
    checksAbortedFirst = true,
    onAbort = 'reject',
    unknown = 'reject',
    oneAtATime = false,
  } = options;
  const sent: string[] = [];
  const views: LockView[] = [];
  let inFlight = 0;
  return {
    sent,
    views,
    lock(lock, { signal }) {
      views.push(lock);
      return new Promise<void>((resolve, reject) => {
        if (checksAbortedFirst && signal.aborted) {
          reject(signal.reason);
          return;
        }
        if (oneAtATime && inFlight > 0) {
          reject(new Error(`hub busy, cannot lock ${lock.name}`));
          return;
        }
        inFlight++;
        const answer = (): void => {
          inFlight--;
          signal.removeEventListener('abort', onAbortEvent);
          if (options.offline) reject(new Error(`hub offline${options.errorText ?? ''}`));
          else if (lock.id !== 'ghost' || unknown === 'accept') {
            sent.push(lock.id);
            options.touch?.(lock);
            resolve();
          } else if (unknown === 'reject-string') reject(`no lock ${lock.id}`);
          else if (unknown === 'reject-empty') reject(new Error(''));
          else reject(new Error(`no lock ${lock.name}${options.errorText ?? ''}`));
        };
        const timer = clock.setTimeout(answer, latencyMs);
        const onAbortEvent = (): void => {
          if (onAbort === 'ignore') return;
          clock.clearTimeout(timer);
          inFlight--;
          if (onAbort === 'reject') reject(signal.reason);
        };
        signal.addEventListener('abort', onAbortEvent, { once: true });
      });
    },
  };
}

/** Runs the check on `clock`, advancing simulated time until it reports. */
async function check(
  driver: LockDriver,
  clock: ManualClock,
  options: Partial<Omit<DriverCheckOptions, 'clock'>> = {},
): Promise<{ report: DriverReport; elapsed: number }> {
  const startedAt = clock.now();
  let report: DriverReport | undefined;
  const running = checkDriverConformance(driver, {
    lock: front,
    otherLock: back,
    unknownLock: ghost,
    timeoutMs: TIMEOUT_MS,
    abortGraceMs: GRACE_MS,
    clock,
    ...options,
  }).then((result) => {
    report = result;
  });
  for (let step = 0; report === undefined; step++) {
    if (step > 10_000) throw new Error('the check did not finish in 100 s of simulated time');
    await clock.advance(10);
  }
  await running;
  return { report: report as DriverReport, elapsed: clock.now() - startedAt };
}

const failing = (report: DriverReport): DriverCheckId[] =>
  report.checks.filter((entry) => !entry.ok).map((entry) => entry.id);
const checkOf = (report: DriverReport, id: DriverCheckId) => report.checks.find((entry) => entry.id === id);

describe('driver conformance check', () => {
  it('a conforming driver passes every rule, one named check per rule in the guide order, leaving no timer', async () => {
    const clock = new ManualClock();
    const driver = hubDriver(clock);
    const { report } = await check(driver, clock);
    expect(report.checks.map((entry) => entry.id)).toEqual(ALL_IDS);
    expect(report.checks.filter((entry) => !entry.ok || entry.skipped)).toEqual([]);
    expect(report.ok).toBe(true);
    for (const entry of report.checks) expect(entry.rule).toBe(DRIVER_RULES[entry.id]);
    expect(checkOf(report, 'abort-mid-call')?.detail).toBe(
      'rejected with AbortError: This operation was aborted, 0 ms after the signal aborted',
    );
    expect(driver.sent).toEqual(['front', 'front', 'back']);
    expect(clock.pending).toBe(0);
  });

  it('keeps the result shape hosts read: ok, and checks of rule, ok and detail', async () => {
    const clock = new ManualClock();
    const { report } = await check(hubDriver(clock), clock);
    for (const entry of report.checks) {
      expect(Object.keys(entry).sort()).toEqual(['detail', 'id', 'ok', 'rule', 'skipped']);
      expect(typeof entry.detail).toBe('string');
    }
  });

  const broken: Array<{ name: string; hub: HubOptions; fails: DriverCheckId[]; detail: RegExp }> = [
    {
      name: 'a driver that refuses a lock it knows fails resolves',
      hub: { offline: true },
      fails: ['resolves', 'concurrent'],
      detail: /^rejected with Error: hub offline$/,
    },
    {
      name: 'a driver that accepts a lock it does not know fails rejects-with-error',
      hub: { unknown: 'accept' },
      fails: ['rejects-with-error'],
      detail: /^resolved$/,
    },
    {
      name: 'a driver that rejects with a string fails rejects-with-error',
      hub: { unknown: 'reject-string' },
      fails: ['rejects-with-error'],
      detail: /^rejected with a string, not an Error$/,
    },
    {
      name: 'a driver that rejects with an empty message fails rejects-with-error',
      hub: { unknown: 'reject-empty' },
      fails: ['rejects-with-error'],
      detail: /^rejected with Error with an empty message$/,
    },
    {
      name: 'a driver that sends although the signal is already aborted fails abort-before-call',
      hub: { checksAbortedFirst: false },
      fails: ['abort-before-call'],
      detail: /^resolved$/,
    },
    {
      name: 'a driver that ignores an abort mid-call fails abort-mid-call',
      hub: { onAbort: 'ignore' },
      fails: ['abort-mid-call'],
      detail: /^resolved 50 ms after the signal aborted: the command went on/,
    },
    {
      name: 'a driver that never answers once aborted mid-call fails abort-mid-call',
      hub: { onAbort: 'hang' },
      fails: ['abort-mid-call'],
      detail: /^timeout: still pending 200 ms after the signal aborted$/,
    },
    {
      name: 'a driver slower than the timeout fails within-timeout',
      hub: { latencyMs: 1_500 },
      fails: ['resolves', 'rejects-with-error', 'within-timeout', 'concurrent'],
      detail:
        /^no answer within 1000 ms from the known lock, the unknown lock, the first of two calls at once, the second/,
    },
    {
      name: 'a driver that renames the lock it is given fails view-unchanged',
      hub: {
        touch: (view) => {
          (view as { name: string }).name = 'renamed';
        },
      },
      fails: ['view-unchanged'],
      detail: /^the driver changed the lock it was given \(the known lock: name changed; /,
    },
    {
      name: 'a driver that adds to and deletes from the lock it is given fails view-unchanged',
      hub: {
        touch: (view) => {
          Object.assign(view, { lockedBy: 'driver' });
          delete (view as { id?: string }).id;
        },
      },
      fails: ['view-unchanged'],
      detail: /the known lock: lockedBy added, id deleted/,
    },
    {
      name: 'a driver that takes one command at a time fails concurrent',
      hub: { oneAtATime: true },
      fails: ['concurrent'],
      detail: /^resolved; rejected with Error: hub busy, cannot lock Back$/,
    },
    {
      name: 'a driver whose error carries a PIN fails no-pin',
      hub: { errorText: ': slot 2 has code 4821' },
      fails: ['no-pin'],
      detail: /^what the driver rejected with for the unknown lock holds PIN digits \(digits not shown\)$/,
    },
  ];

  it.each(broken)('$name, with a detail saying how', async ({ hub, fails, detail }) => {
    const clock = new ManualClock();
    const { report } = await check(hubDriver(clock, hub), clock, { pins: ['4821'] });
    expect(report.ok).toBe(false);
    expect(failing(report)).toEqual(fails);
    const named = report.checks.find((entry) => !entry.ok && detail.test(entry.detail));
    expect(named, JSON.stringify(report.checks, null, 1)).toBeDefined();
    expect(named?.rule).toBe(DRIVER_RULES[named?.id as DriverCheckId]);
    expect(clock.pending).toBe(0);
  });

  it('a driver that hangs fails every rule a call must answer for, and the check ends within its bounds', async () => {
    const clock = new ManualClock();
    const hanging: LockDriver = { lock: () => new Promise<void>(() => {}) };
    const { report, elapsed } = await check(hanging, clock);
    expect(failing(report)).toEqual([
      'resolves',
      'rejects-with-error',
      'abort-before-call',
      'abort-mid-call',
      'within-timeout',
      'concurrent',
    ]);
    expect(checkOf(report, 'resolves')?.detail).toBe('timeout: no answer within 1000 ms');
    expect(checkOf(report, 'abort-mid-call')?.detail).toBe('timeout: still pending 200 ms after the signal aborted');
    expect(elapsed).toBeLessThanOrEqual(4 * TIMEOUT_MS + GRACE_MS + 10);
    expect(clock.pending).toBe(0);
  });

  it('aborts a call that runs out of time, as relock does after its action timeout', async () => {
    const clock = new ManualClock();
    const reasons: unknown[] = [];
    const slow: LockDriver = {
      lock: (_lock, { signal }) =>
        new Promise<void>((_resolve, reject) => {
          signal.addEventListener('abort', () => {
            reasons.push(signal.reason);
            reject(signal.reason);
          });
        }),
    };
    const { report } = await check(slow, clock, { unknownLock: undefined });
    expect(checkOf(report, 'within-timeout')?.ok).toBe(false);
    expect(reasons.filter((reason) => reason instanceof DOMException && reason.name === 'TimeoutError')).toHaveLength(
      3,
    );
  });

  it('reports a synchronous throw as such, and accepts it as a refusal, as relock does', async () => {
    const clock = new ManualClock();
    const inner = hubDriver(clock);
    const throwing: LockDriver = {
      lock(lock, options) {
        if (options.signal.aborted) throw options.signal.reason;
        if (lock.id === 'ghost') throw new Error('no lock Ghost');
        return inner.lock(lock, options);
      },
    };
    const { report } = await check(throwing, clock);
    expect(report.ok).toBe(true);
    expect(checkOf(report, 'rejects-with-error')?.detail).toBe(
      'threw synchronously Error: no lock Ghost (relock treats it as a rejection)',
    );
    expect(checkOf(report, 'abort-before-call')?.detail).toMatch(/^threw synchronously AbortError/);

    const alwaysThrowing: LockDriver = {
      lock() {
        throw new TypeError('fetch is not a function');
      },
    };
    const thrown = await check(alwaysThrowing, clock);
    expect(checkOf(thrown.report, 'resolves')).toMatchObject({
      ok: false,
      detail: 'threw synchronously TypeError: fetch is not a function',
    });
  });

  it('skips abort-mid-call for a driver that answers before anything could be aborted, and says so', async () => {
    const clock = new ManualClock();
    const instant: LockDriver = {
      lock: async (lock, { signal }) => {
        signal.throwIfAborted();
        if (lock.id === 'ghost') throw new Error('no lock Ghost');
      },
    };
    const { report } = await check(instant, clock);
    expect(report.ok).toBe(true);
    expect(checkOf(report, 'abort-mid-call')).toMatchObject({
      ok: true,
      skipped: true,
      detail: 'skipped: the call resolved before it could be aborted',
    });
  });

  it('skips rejects-with-error when no unknown lock is given', async () => {
    const clock = new ManualClock();
    const { report } = await check(hubDriver(clock), clock, { unknownLock: undefined });
    expect(checkOf(report, 'rejects-with-error')).toMatchObject({ ok: true, skipped: true });
    expect(report.ok).toBe(true);
  });

  it('a driver that changes the view after it has answered still fails view-unchanged', async () => {
    const clock = new ManualClock();
    const inner = hubDriver(clock);
    const late: LockDriver = {
      lock: async (lock, options) => {
        await inner.lock(lock, options);
        clock.setTimeout(() => {
          (lock as { id: string }).id = 'other';
        }, 1);
      },
    };
    const { report } = await check(late, clock);
    expect(failing(report)).toEqual(['view-unchanged']);
    expect(checkOf(report, 'view-unchanged')?.detail).toMatch(/the known lock: id changed/);
  });

  it('a driver that replaces the prototype of the view or turns a field into a getter fails view-unchanged', async () => {
    const clock = new ManualClock();
    const { report } = await check(
      hubDriver(clock, {
        touch: (view) => {
          Object.setPrototypeOf(view, null);
          Object.defineProperty(view, 'name', { get: () => 'Front' });
        },
      }),
      clock,
    );
    expect(failing(report)).toEqual(['view-unchanged']);
    expect(checkOf(report, 'view-unchanged')?.detail).toMatch(
      /the known lock: its prototype was replaced, name changed/,
    );
  });

  it('reports a driver that returns no promise, and survives hostile values without throwing', async () => {
    const clock = new ManualClock();
    const plain = {
      lock: (lock: LockView, { signal }: { signal: AbortSignal }) => {
        signal.throwIfAborted();
        if (lock.id === 'ghost') throw new Error('no lock Ghost');
      },
    } as unknown as LockDriver;
    const { report } = await check(plain, clock);
    expect(checkOf(report, 'resolves')?.detail).toBe('resolved (returned a value that is not a promise)');

    const hostileError = Object.defineProperty(new Error('hub exploded'), 'code', {
      enumerable: true,
      get: () => {
        throw new Error('no code');
      },
    });
    const keyless = new Proxy(
      {},
      {
        ownKeys: () => {
          throw new Error('no keys');
        },
      },
    );
    const badThen = Object.defineProperty({}, 'then', {
      get: () => {
        throw new Error('no then');
      },
    });
    const hostile: LockDriver = {
      lock: (lock, { signal }) => {
        if (signal.aborted) return Promise.reject(keyless);
        if (lock.id === 'ghost') return Promise.reject(hostileError);
        return badThen as Promise<void>;
      },
    };
    const hostileRun = await check(hostile, clock, { pins: ['4821'] });
    expect(checkOf(hostileRun.report, 'resolves')?.detail).toBe('rejected with Error: no then');
    expect(checkOf(hostileRun.report, 'rejects-with-error')?.detail).toBe('rejected with Error: hub exploded');
    expect(checkOf(hostileRun.report, 'abort-before-call')?.detail).toBe('rejected with an object, not an Error');
    expect(checkOf(hostileRun.report, 'no-pin')?.ok).toBe(true);
  });

  describe('no PIN reaches the driver or comes back from it', () => {
    const config = parseLockConfig({
      id: 'front',
      name: 'Front',
      codeSlots: [{ number: 1, name: 'Cleaner', pin: '4821' }],
    });

    it('hands the driver a plain { id, name } even when given a lock config with code slots', async () => {
      const clock = new ManualClock();
      const driver = hubDriver(clock);
      const { report } = await check(driver, clock, { lock: config });
      expect(report.ok).toBe(true);
      expect(checkOf(report, 'no-pin')?.detail).toMatch(/searched for 1 PIN\(s\)/);
      for (const view of driver.views) {
        expect(Object.getPrototypeOf(view)).toBe(Object.prototype);
        expect(Reflect.ownKeys(view)).toEqual(['id', 'name']);
      }
      expect(driver.views[0]).toEqual({ id: 'front', name: 'Front' });
    });

    it('takes PINs from a lock config to find one in what the driver throws, without showing it', async () => {
      const clock = new ManualClock();
      const { report } = await check(hubDriver(clock, { offline: true, errorText: ' (slot codes 4821)' }), clock, {
        lock: config,
      });
      expect(checkOf(report, 'no-pin')).toMatchObject({ ok: false });
      expect(checkOf(report, 'no-pin')?.detail).toContain(
        'what the driver rejected with for the known lock holds PIN digits',
      );
      expect(checkOf(report, 'resolves')?.detail).toBe('rejected with Error: hub offline (slot codes [PIN])');
      expect(JSON.stringify(report)).not.toContain('4821');
    });

    it('finds a Pin or a sealed value in what the driver rejects with, and a PIN in a config input', async () => {
      const clock = new ManualClock();
      const pinBearing: LockDriver = {
        lock: (lock, { signal }) =>
          signal.aborted
            ? Promise.reject(new Error('aborted', { cause: seal('secret') }))
            : lock.id === 'ghost'
              ? Promise.reject(Object.assign(new Error('no lock Ghost'), { slot: { pin: Pin.from('4821') } }))
              : hubDriver(clock).lock(lock, { signal }),
      };
      const input = { id: 'front', name: 'Front', codeSlots: [{ number: 1, pin: '4821' }] };
      const { report } = await check(pinBearing, clock, { lock: input });
      expect(checkOf(report, 'no-pin')?.detail).toBe(
        'what the driver rejected with for the unknown lock holds a Pin object; ' +
          'what the driver rejected with for an already-aborted signal holds a sealed value (digits not shown)',
      );
    });

    it('fails a lock whose name is a Pin object: a PIN-bearing object would reach the driver', async () => {
      const clock = new ManualClock();
      const driver = hubDriver(clock);
      const { report } = await check(driver, clock, {
        lock: { id: 'front', name: Pin.from('4821') as unknown as string },
      });
      expect(checkOf(report, 'no-pin')?.detail).toMatch(
        /^the name of the known lock given to the driver is not a string/,
      );
    });

    it('fails a lock whose name holds a PIN, since relock would pass that name to the driver', async () => {
      const clock = new ManualClock();
      const { report } = await check(hubDriver(clock), clock, {
        lock: { id: 'front', name: 'Front 4821' },
        pins: [Pin.from('4821')],
      });
      expect(failing(report)).toEqual(['no-pin']);
      expect(checkOf(report, 'no-pin')?.detail).toMatch(/^the name of the known lock given to the driver holds a PIN/);
      expect(JSON.stringify(report)).not.toContain('4821');
    });

    it('finds a PIN rejected as a number or hidden in a longer run of digits, and ignores entries that are no PIN', async () => {
      const clock = new ManualClock();
      const numeric: LockDriver = {
        lock: (lock, { signal }) =>
          signal.aborted || lock.id === 'ghost' ? Promise.reject(904821) : hubDriver(clock).lock(lock, { signal }),
      };
      const { report } = await check(numeric, clock, { pins: ['4821', 'abc'] });
      expect(checkOf(report, 'no-pin')).toMatchObject({ ok: false });
      expect(checkOf(report, 'no-pin')?.detail).toMatch(/the unknown lock holds PIN digits/);

      const clean = await check(hubDriver(clock), clock, { pins: ['4821', 'abc'] });
      expect(checkOf(clean.report, 'no-pin')?.detail).toMatch(/1 entries of pins ignored/);
    });
  });

  it('the driver guide lists exactly the checks the report names, with their rules', () => {
    const guide = readFileSync(new URL('../../docs/driver-guide.md', import.meta.url), 'utf8');
    const section = guide.slice(guide.indexOf('## What the check verifies'));
    const listed = [...section.matchAll(/^\| `([a-z-]+)` +\|/gm)].map((match) => match[1]);
    expect(listed).toEqual(ALL_IDS);
    const contract = guide.slice(guide.indexOf('## The contract'), guide.indexOf('## An example'));
    const mapped = [...contract.matchAll(/`([a-z-]+)`/g)].map((match) => match[1]);
    for (const id of ALL_IDS) expect(mapped).toContain(id);
  });
});

describe('driver conformance check against a hub on loopback', () => {
  let server: Server;
  let baseUrl = '';
  const locked: string[] = [];
  beforeAll(async () => {
    server = createServer((request, response) => {
      const match = request.url?.match(/^\/locks\/([^/]+)\/lock$/);
      if (request.method === 'POST' && match && match[1] !== 'ghost') {
        locked.push(match[1] as string);
        response.writeHead(202).end();
      } else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('the example HTTP driver passes every rule, its fetch aborted mid-call', async () => {
    const report = await checkDriverConformance(httpLockDriver(baseUrl), {
      lock: front,
      unknownLock: ghost,
      timeoutMs: 5_000,
    });
    expect(report.checks.filter((entry) => !entry.ok || entry.skipped)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(checkOf(report, 'abort-mid-call')?.detail).toMatch(/^rejected with AbortError/);
    expect(locked).toContain('front');
  });

  it('the same driver without the signal on its fetch fails abort-mid-call', async () => {
    const deaf: LockDriver = {
      async lock(lock, { signal }) {
        signal.throwIfAborted();
        const response = await fetch(`${baseUrl}/locks/${encodeURIComponent(lock.id)}/lock`, { method: 'POST' });
        if (!response.ok) throw new Error(`hub refused to lock ${lock.name}: HTTP ${response.status}`);
      },
    };
    const report = await checkDriverConformance(deaf, { lock: front, unknownLock: ghost, timeoutMs: 5_000 });
    expect(failing(report)).toEqual(['abort-mid-call']);
    expect(checkOf(report, 'abort-mid-call')?.detail).toMatch(/^resolved \d+ ms after the signal aborted/);
  });
});
