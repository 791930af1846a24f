/**
 * Store ownership across processes (issue 10.5, 10.21): a relock system in a child process holds
 * a `sqlite://` file; this process is refused while the child runs, starts once the child has
 * stopped (the child then exits by itself), and takes the file over at once when the child was
 * killed with SIGKILL.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock/manual-clock.js';
import { StoreInUseError } from '../../src/errors.js';
import { createRelock } from '../../src/relock.js';
import { buildChildScript } from '../support/child-script.js';

let childFile: string;
let dir: string;

beforeAll(async () => {
  childFile = await buildChildScript('test/persistence/store-owner-child.ts');
  dir = mkdtempSync(join(tmpdir(), 'relock-owner-proc-'));
});
afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Child {
  readonly process: ChildProcessWithoutNullStreams;
  /** Resolves with the first line equal to `line`. */
  line(line: string): Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startChild(file: string): Child {
  const child = spawn(process.execPath, [childFile, file], { stdio: ['pipe', 'pipe', 'pipe'] });
  const seen: string[] = [];
  const waiters: Array<{ line: string; resolve: () => void }> = [];
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      seen.push(line);
      for (const waiter of waiters.filter((w) => w.line === line)) waiter.resolve();
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    process: child,
    exited,
    line: (line) =>
      seen.includes(line)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiters.push({ line, resolve });
            void exited.then(({ code }) => reject(new Error(`child exited (${code}) before ${line}: ${stderr}`)));
          }),
  };
}

const driver = { async lock() {} };
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

describe('store ownership across processes', () => {
  it('(10.5) a system in another process holds the sqlite file: this one is refused, and starts once the other has stopped', async () => {
    const url = `sqlite://${join(dir, 'shared.sqlite')}`;
    const child = startChild(url.slice('sqlite://'.length));
    await child.line('ready');

    const refused = await createRelock({ driver, logger: quiet, store: url, clock: new ManualClock() }).catch(
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(StoreInUseError);
    expect((refused as Error).message).toContain(url);

    child.process.stdin.write('stop\n');
    await child.line('stopped');
    // (10.21) nothing of relock keeps the stopped child alive
    expect(await child.exited).toEqual({ code: 0, signal: null });

    const relock = await createRelock({ driver, logger: quiet, store: url, clock: new ManualClock() });
    expect(relock.lockIds()).toEqual([]);
    await relock.stop();
  }, 30_000);

  it('(10.5) the claim of a process killed with SIGKILL on this host is taken over at once', async () => {
    const url = `sqlite://${join(dir, 'killed.sqlite')}`;
    const child = startChild(url.slice('sqlite://'.length));
    await child.line('ready');
    child.process.kill('SIGKILL');
    await child.exited;

    // the same instant on the clock: the lease has not run out, but its holder is gone
    const relock = await createRelock({ driver, logger: quiet, store: url });
    await relock.addLock({ id: 'front', name: 'Front', autolock: { enabled: true, dayMinutes: 5 } });
    await relock.stop();
  }, 30_000);
});
