/**
 * A `redis-server` of the bench's own (`bench:cluster`): Debian's binary on the PATH, started on
 * 127.0.0.1 on a free port with persistence off, stopped by its pid (SIGTERM, then SIGKILL if it
 * lingers) at the end, on an error, and when the bench process exits. Never stopped by name.
 * (The test suite's `test/support/redis-server.ts` does the same for tests; this one has no
 * vitest in it, so a plain node script can use it.)
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BenchRedis {
  readonly url: string;
  readonly pid: number;
  /** `redis-server --version`, as printed. */
  readonly version: string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (answered: boolean) => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (chunk: Buffer) => done(chunk.toString().startsWith('+PONG')));
  });
}

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

export async function startBenchRedis(): Promise<BenchRedis> {
  const version = execFileSync('redis-server', ['--version'], { encoding: 'utf8' }).trim();
  for (let attempt = 1; ; attempt++) {
    const dir = mkdtempSync(join(tmpdir(), 'relock-bench-redis-'));
    const port = await freePort();
    const child = spawn(
      'redis-server',
      [
        '--port',
        String(port),
        '--bind',
        '127.0.0.1',
        '--save',
        '',
        '--appendonly',
        'no',
        '--dir',
        dir,
        '--daemonize',
        'no',
        '--loglevel',
        'warning',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-2_000);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-2_000);
    });
    const killOnExit = () => {
      if (child.pid !== undefined && alive(child)) process.kill(child.pid, 'SIGKILL');
    };
    process.once('exit', killOnExit);
    const stop = async () => {
      process.off('exit', killOnExit);
      if (child.pid !== undefined && alive(child)) {
        const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        process.kill(child.pid, 'SIGTERM');
        const hard = setTimeout(() => {
          if (child.pid !== undefined && alive(child)) process.kill(child.pid, 'SIGKILL');
        }, 5_000);
        await gone;
        clearTimeout(hard);
      }
      rmSync(dir, { recursive: true, force: true });
    };
    const deadline = Date.now() + 15_000;
    while (alive(child) && !(await answersPing(port)) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    if (alive(child) && (await answersPing(port))) {
      return { url: `redis://127.0.0.1:${port}`, pid: child.pid ?? -1, version, stop };
    }
    await stop();
    if (attempt >= 5) throw new Error(`redis-server did not start on 127.0.0.1:${port}: ${output}`);
  }
}
