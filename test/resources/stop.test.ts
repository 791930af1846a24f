/**
 * After `stop()` nothing of relock is left waiting: no timer on the injected clock, and a real
 * process exits by itself without waiting for one.
 */
import { spawn } from 'node:child_process';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildChildScript, projectRoot } from '../support/child-script.js';
import { type RelockHarness, relockHarness } from '../support/relock-harness.js';

let childFile: string;

beforeAll(async () => {
  childFile = await buildChildScript('test/resources/stop-exit-child.ts');
});

let h: RelockHarness | undefined;
afterEach(async () => {
  await h?.relock.stop();
  h = undefined;
});

describe('stop', () => {
  it('(10.21) after stop() no relock timer is pending on the clock, though a lock-record write had failed', async () => {
    h = await relockHarness();
    h.map.failNext('set');
    await h.relock.addLock({ id: 'front', name: 'Front', autolock: { enabled: true, dayMinutes: 5 } });
    await h.relock.flush();
    await h.clock.advance(0);
    expect(h.events.some((event) => event.type === 'store.error')).toBe(true);
    expect(h.clock.pending).toBeGreaterThan(0); // the record's retry is waiting
    await h.relock.stop();
    expect(h.clock.pending).toBe(0);
  });

  it('(10.21) a removed lock whose record write had failed leaves no rewrite waiting on the clock', async () => {
    h = await relockHarness();
    await h.relock.addLock({ id: 'keep', name: 'Keep' });
    h.map.failNext('set');
    await h.relock.addLock({ id: 'front', name: 'Front' });
    await h.relock.flush();
    await h.clock.advance(0);
    const waiting = h.clock.pending;
    expect(waiting).toBeGreaterThan(0);
    await h.relock.removeLock('front');
    expect(h.clock.pending).toBe(waiting - 1);
    const writes = h.map.calls.length;
    await h.clock.advance(60_000);
    expect(h.map.calls.slice(writes).filter((call) => call.key.includes('front'))).toEqual([]);
  });

  it('(10.21) after stop() no relock timer is pending, with autolocks armed, a retry pending and a command in flight', async () => {
    h = await relockHarness();
    await h.relock.addLocks([
      { id: 'a', name: 'A', autolock: { enabled: true, dayMinutes: 5 } },
      {
        id: 'b',
        name: 'B',
        hasDoorSensor: true,
        autolock: { enabled: true, dayMinutes: 5, retryWhenDoorCloses: true },
      },
      { id: 'c', name: 'C', autolock: { enabled: true, dayMinutes: 5 } },
    ]);
    for (const id of ['a', 'b', 'c']) h.relock.reportLockState(id, 'unlocked');
    h.relock.reportDoorState('b', 'open');
    await h.clock.advance(0);
    h.driver.script('hang');
    await h.relock.startAutolock('c', 1);
    await h.clock.advance(5 * 60_000 - 1);
    h.map.failNext('set');
    h.relock.reportDoorState('a', 'open'); // a record write that fails: its retry waits on the clock
    await h.clock.advance(0);
    expect(h.relock.status('a').running).toBe(true);
    expect(h.relock.status('b').pendingRetry).toBe(false);
    await h.clock.advance(1);
    expect(h.relock.status('b').pendingRetry).toBe(true);
    expect(h.clock.pending).toBeGreaterThan(0);
    await h.relock.stop();
    expect(h.clock.pending).toBe(0);
  });

  it('(10.21) a process whose lock-record write failed exits by itself after stop(), and no relock timer fires after it', async () => {
    const child = spawn(process.execPath, [childFile], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', (exitCode) => resolve(exitCode)));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(stdout.trim()) as { storeErrors: number; scheduled: number[]; firedAfterStop: number[] };
    expect(report.storeErrors).toBeGreaterThan(0);
    expect(report.scheduled).toContain(5_000); // the record retry was set before stop()
    expect(report.firedAfterStop).toEqual([]);
    // a process that waited for the 5 s retry would have shown it above; this limit only catches a hang
  }, 20_000);
});
