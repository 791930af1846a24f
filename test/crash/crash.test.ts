/**
 * Crash tests on a real file store: a child process runs relock on @keyv/sqlite and is killed
 * with SIGKILL at a random point of its workload; a new system on the same file recovers, and
 * what the killed process had acknowledged must hold:
 * - an autolock whose start was acknowledged, and not cancelled or fired since, is recovered
 *   and fires (no acknowledged autolock is lost);
 * - an autolock whose cancel was acknowledged, with nothing asked of that lock since, never
 *   fires after recovery;
 * - recovery never fails, whatever the kill interrupted.
 * RELOCK_KILLS=<n> sets the number of kill points (default 100).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock/manual-clock.js';
import { createRelock } from '../../src/relock.js';
import { buildChildScript } from '../support/child-script.js';

const KILLS = Number(process.env.RELOCK_KILLS ?? 100);
const START = Date.UTC(2026, 0, 1, 12, 0, 0);
let childFile: string;
let dir: string;

beforeAll(async () => {
  childFile = await buildChildScript('test/crash/crash-child.ts');
  dir = mkdtempSync(join(tmpdir(), 'relock-crash-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs the workload in lockstep and kills it with SIGKILL shortly after letting it go on past
 * line `afterLines`: the kill lands inside whatever operation follows.
 */
function runAndKill(file: string, seed: number, afterLines: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [childFile, file, String(seed), String(START)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let buffer = '';
    let stderr = '';
    let killing = false;
    child.stdin.on('error', () => {});
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      const parts = buffer.split('\n');
      buffer = parts.pop() ?? '';
      for (const line of parts) {
        if (killing) return;
        lines.push(line);
        const gated = line === 'ready' || /^(intent|ack|clock) /.test(line);
        if (gated) child.stdin.write('\n');
        if (lines.length >= afterLines && gated) {
          killing = true;
          setTimeout(() => child.kill('SIGKILL'), Math.floor(Math.random() * 4));
          return;
        }
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(lines);
      else reject(new Error(`the workload exited by itself (${String(code)}): ${stderr.slice(0, 500)}`));
    });
  });
}

/**
 * What the parent can be sure of, from the lines it saw. The operation after the last line seen
 * may have started (the kill lands inside it), so a lock named by the last intent is uncertain,
 * and so is every lock whose autolock was due before the target of an advance under way.
 */
function expectations(lines: string[]) {
  let now = START;
  const lastReport = new Map<string, string>();
  const expectFire = new Map<string, number>();
  const expectQuiet = new Set<string>();
  for (const line of lines) {
    const [kind, a, b, c] = line.split(' ');
    if (kind === 'clock') now = Number(a);
    if (kind === 'intent' && a !== 'advance') {
      expectFire.delete(b);
      expectQuiet.delete(b);
      if (a === 'lock' || a === 'unlock') lastReport.set(b, a);
    }
    // an autolock that fires on a locked lock sends no command (already locked)
    if (kind === 'ack' && a === 'start' && lastReport.get(b) !== 'lock') expectFire.set(b, Number(c));
    if (kind === 'ack' && a === 'cancel') expectQuiet.add(b);
    if (kind === 'command') expectFire.delete(a);
  }
  const last = lines.at(-1)?.split(' ') ?? [];
  if (last[0] === 'intent' && last[1] === 'advance') {
    for (const [id, endsAt] of expectFire) if (endsAt <= Number(last[2])) expectFire.delete(id);
  }
  return { now, expectFire, expectQuiet };
}

async function checkRecovery(file: string, lines: string[]): Promise<string[]> {
  const problems: string[] = [];
  const { now, expectFire, expectQuiet } = expectations(lines);
  const clock = new ManualClock(now);
  const commands: string[] = [];
  const relock = await createRelock({
    store: `sqlite://${file}`,
    clock,
    // the killed child's claim on the file is taken over at once (its process is gone); a day-long
    // lease keeps the 24 simulated hours below from renewing it thousands of times on the file
    storeLeaseMs: 86_400_000,
    logger: { debug() {}, info() {}, warn() {}, error() {} },
    driver: {
      async lock(lock) {
        commands.push(lock.id);
      },
    },
  });
  // simulated time never outruns the file's real I/O (a jump past a write in flight would time it out)
  clock.settleWith(() => relock.flush());
  try {
    await relock.addLocks(
      ['l0', 'l1', 'l2', 'l3'].map((id) => ({ id, name: id, autolock: { enabled: false, dayMinutes: 5 } })),
    );
    for (const [id, endsAt] of expectFire) {
      const status = relock.status(id);
      if (status.timerState !== 'ACTIVE' && !commands.includes(id)) {
        problems.push(`${id}: acknowledged autolock (ends ${endsAt}) not recovered: ${JSON.stringify(status)}`);
      }
    }
    await clock.advance(24 * 3_600_000);
    for (const [id] of expectFire)
      if (!commands.includes(id)) problems.push(`${id}: acknowledged autolock never fired`);
    for (const id of expectQuiet) if (commands.includes(id)) problems.push(`${id}: fired after an acknowledged cancel`);
  } finally {
    await relock.stop();
  }
  return problems;
}

describe('crash recovery on @keyv/sqlite', () => {
  let acknowledged = 0;
  afterAll(() => {
    console.info(`crash tests: ${KILLS} kill points, ${acknowledged} acknowledged operations checked`);
  });

  // one test per kill point, two at a time: each is small (a child process, a kill, a recovery),
  // so no verdict depends on how busy the machine is
  it.concurrent.each(Array.from({ length: KILLS }, (_, run) => run))(
    'kill point %i: what was acknowledged survives, what was cancelled stays cancelled',
    async (run) => {
      const file = join(dir, `run-${run}.sqlite`);
      const seed = 1 + run * 7919;
      const afterLines = 3 + ((run * 37) % 60) + Math.floor(Math.random() * 20);
      const lines = await runAndKill(file, seed, afterLines);
      acknowledged += lines.filter((line) => line.startsWith('ack')).length;
      expect(lines.length, 'the workload printed nothing before it was killed').toBeGreaterThan(0);
      const problems = await checkRecovery(file, lines);
      expect(problems, `seed ${seed}, killed after ${afterLines} lines`).toEqual([]);
    },
    60_000,
  );
});
