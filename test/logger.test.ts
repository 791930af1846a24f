/**
 * relock's log lines through a real pino logger (and the fields-first shape pino shares with
 * bunyan): each JSON line pino writes carries relock's message as `msg`, its fields as
 * properties, and the level relock chose. A failed lock command is a `warn` (40) line per failed
 * attempt, with the lock id and the driver's error message, and no line holds a PIN.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock/manual-clock.js';
import type { Logger } from '../src/logger.js';
import { safeLogger } from '../src/logger.js';
import { type FieldsFirstLogger, pinoLogger } from '../src/pino-logger.js';
import { createRelock } from '../src/relock.js';

const PIN = '482913';
const WARN = 40;

type Line = { level: number; msg: string } & Record<string, unknown>;

/** A pino logger writing to memory: every line it writes, parsed. */
function pinoInMemory(level: 'debug' | 'info' = 'info') {
  const raw: string[] = [];
  const logger = pino({ level }, { write: (line: string) => raw.push(line) });
  return { logger, raw, lines: (): Line[] => raw.map((line) => JSON.parse(line) as Line) };
}

/**
 * One lock whose driver never answers and whose notifier is down: the autolock fires after a
 * minute and fails (attempt 1 of 2), is retried 30 s later and fails again (2 of 2); each failure
 * notice fails to reach the notifier.
 */
async function failingHouse(logger: Logger) {
  const clock = new ManualClock(Date.UTC(2026, 5, 1, 12, 0));
  const relock = await createRelock({
    clock,
    logger,
    driver: {
      async lock(lock) {
        throw new Error(`${lock.name} did not answer`);
      },
    },
    notifier: {
      notify() {
        throw new Error('push service down');
      },
      dismiss() {},
    },
  });
  await relock.addLock({
    id: 'front',
    name: 'Front Door',
    autolock: { enabled: true, dayMinutes: 1, nightMinutes: 1, maxAttempts: 2 },
    codeSlots: [{ number: 1, name: 'Guest', pin: PIN }],
  });
  relock.reportLockState('front', 'unlocked');
  await clock.advance(0);
  await clock.advance(60_000);
  await clock.advance(30_000);
  await relock.stop();
}

describe('logging through pino', () => {
  it('a failed lock command is one warn line per failed attempt, with the lock id and the driver error', async () => {
    const out = pinoInMemory();
    await failingHouse(pinoLogger(out.logger));

    const failures = out.lines().filter((line) => line.msg === 'Autolock attempt failed');
    expect(failures).toEqual([
      expect.objectContaining({ level: WARN, lockId: 'front', message: 'Front Door did not answer', attempt: 1 }),
      expect.objectContaining({ level: WARN, lockId: 'front', message: 'Front Door did not answer', attempt: 2 }),
    ]);
    expect(failures.map((line) => [line.attempts, line.unconfirmed])).toEqual([
      [2, false],
      [2, false],
    ]);
  });

  it('a failing notifier is a warn line carrying the lock, the notification and the error', async () => {
    const out = pinoInMemory();
    await failingHouse(pinoLogger(out.logger));

    const notifier = out.lines().filter((line) => line.msg === 'Notifier failed');
    expect(notifier.length).toBeGreaterThan(0);
    for (const line of notifier) {
      expect(line).toMatchObject({ level: WARN, lockId: 'front', message: 'push service down' });
      expect(line.notificationId).toEqual(expect.stringContaining('front'));
    }
  });

  it('a pino logger passed as it is, or a child of one, is adapted: its lines carry the fields too', async () => {
    const plain = pinoInMemory();
    await failingHouse(plain.logger);
    const child = pinoInMemory();
    await failingHouse(child.logger.child({ component: 'relock' }));

    for (const out of [plain, child]) {
      const failure = out.lines().find((line) => line.msg === 'Autolock attempt failed');
      expect(failure).toMatchObject({ level: WARN, lockId: 'front', message: 'Front Door did not answer' });
    }
    expect(child.lines().every((line) => line.component === 'relock')).toBe(true);
  });

  it('no line pino writes holds a PIN, at any level', async () => {
    const out = pinoInMemory('debug');
    await failingHouse(pinoLogger(out.logger));

    expect(out.raw.length).toBeGreaterThan(0);
    expect(out.raw.join('')).not.toContain(PIN);
  });
});

describe('pinoLogger', () => {
  it('calls each level of a fields-first logger (bunyan, pino) with the fields first and the message second', () => {
    const calls: unknown[][] = [];
    const record =
      (level: string) =>
      (...args: unknown[]) =>
        calls.push([level, ...args]);
    const bunyanLike: FieldsFirstLogger = {
      debug: record('debug'),
      info: record('info'),
      warn: record('warn'),
      error: record('error'),
    };
    const logger = pinoLogger(bunyanLike);
    logger.debug('d', { a: 1 });
    logger.info('i');
    logger.warn('w', { lockId: 'front' });
    logger.error('e', { store: 'memory' });
    expect(calls).toEqual([
      ['debug', { a: 1 }, 'd'],
      ['info', {}, 'i'],
      ['warn', { lockId: 'front' }, 'w'],
      ['error', { store: 'memory' }, 'e'],
    ]);
  });

  it('calls the methods on the logger itself (pino and bunyan read their state from `this`)', () => {
    const seen: unknown[] = [];
    class Bound implements FieldsFirstLogger {
      readonly name = 'bound';
      debug() {}
      info() {}
      warn(this: Bound) {
        seen.push(this.name);
      }
      error() {}
    }
    pinoLogger(new Bound()).warn('w');
    expect(seen).toEqual(['bound']);
  });
});

describe('safeLogger', () => {
  it('leaves a message-first logger (console, winston) as it is: it still gets (message, fields)', () => {
    const calls: unknown[][] = [];
    const host: Logger = {
      debug() {},
      info() {},
      warn: (message, fields) => calls.push([message, fields]),
      error() {},
    };
    safeLogger(host).warn('Store operation failed', { key: 'timer:front' });
    expect(calls).toEqual([['Store operation failed', { key: 'timer:front' }]]);
  });
});
