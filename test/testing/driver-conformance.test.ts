import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpLockDriver } from '../../examples/http-driver.js';
import { ManualClock } from '../../src/clock/manual-clock.js';
import type { LockDriver } from '../../src/ports/lock-driver.js';
import { checkDriverConformance } from '../../src/testing/driver-conformance.js';

const front = { id: 'front', name: 'Front' };
const ghost = { id: 'ghost', name: 'Ghost' };

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

describe('driver conformance check', () => {
  it('the example HTTP driver passes every rule against a hub on loopback', async () => {
    const report = await checkDriverConformance(httpLockDriver(baseUrl), {
      lock: front,
      unknownLock: ghost,
      timeoutMs: 5_000,
    });
    expect(report.checks.filter((check) => !check.ok)).toEqual([]);
    expect(report.ok).toBe(true);
    expect(locked).toContain('front');
  });

  it('flags a driver that hangs, throws strings, ignores the signal and mutates the lock', async () => {
    const clock = new ManualClock();
    let calls = 0;
    const careless: LockDriver = {
      lock: (lock) => {
        calls++;
        return lock.id === 'ghost' ? Promise.reject('nope') : Promise.resolve();
      },
    };
    const report = await checkDriverConformance(careless, { lock: front, unknownLock: ghost, clock, timeoutMs: 1_000 });
    expect(report.ok).toBe(false);
    expect(report.checks.map((check) => check.ok)).toEqual([true, false, false, true]);
    expect(report.checks[1]?.detail).toBe('rejected with string');
    expect(calls).toBe(5);

    const mutating: LockDriver = {
      lock: async (lock) => {
        (lock as { name: string }).name = 'changed';
      },
    };
    const mutated = await checkDriverConformance(mutating, { lock: front, clock, timeoutMs: 1_000 });
    expect(mutated.checks[0]).toMatchObject({ ok: false, detail: expect.stringContaining('TypeError') });

    const hanging: LockDriver = { lock: () => new Promise<void>(() => {}) };
    const pending = checkDriverConformance(hanging, { lock: front, clock, timeoutMs: 1_000 });
    for (let i = 0; i < 3; i++) await clock.advance(1_000);
    const hung = await pending;
    expect(hung.checks.map((check) => check.detail)).toEqual(['timeout', 'timeout', 'timeout, timeout']);
  });
});
