/**
 * A real `redis-server` for tests: Debian's binary, started per test file on 127.0.0.1.
 *
 * Invariants:
 * - the server listens on 127.0.0.1 only, on a free port, with persistence off (`save ""`,
 *   `appendonly no`, the equivalent of `--save '' --appendonly no`, in a config file of its own
 *   folder, so a password given with `password` is never on a command line `ps` shows);
 * - `startRedis()` resolves once the server answers a `PING` (a `-NOAUTH` reply is an answer too);
 *   a server that exits first, or does not answer within a limit that only catches a hang, is an
 *   error carrying the server's own output;
 * - a server is stopped by its pid (`SIGTERM`, then `SIGKILL` if it lingers), never by name; every
 *   server still running when the test process exits is killed by its pid then;
 * - `restart()` stops the server and starts it again on the same port: without persistence it
 *   comes back empty (as a Redis without persistence does after a crash); `pause()`/`resume()`
 *   send `SIGSTOP`/`SIGCONT`: the server keeps its data and its connections but answers nothing;
 * - when `redis-server` is not on the PATH, `redisMissing` says so and `describeWithRedis` skips
 *   its tests under a name that says what is missing and how to install it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe } from 'vitest';
import { serverPort } from './server-port.js';

/** The `redis-server` binary on the PATH, if any. */
export const redisServerPath: string | undefined = (process.env.PATH ?? '')
  .split(delimiter)
  .filter(Boolean)
  .map((dir) => join(dir, 'redis-server'))
  .find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

/** Why Redis tests cannot run here, or undefined when they can. */
export const redisMissing: string | undefined =
  redisServerPath === undefined
    ? 'redis-server not found on the PATH (install it: apt-get install -y redis-server; .ci/run does)'
    : undefined;

/** A `describe` whose tests need a real `redis-server`: skipped, saying why, when there is none. */
export function describeWithRedis(name: string, body: () => void): void {
  if (redisMissing === undefined) {
    describe(name, body);
    return;
  }
  console.warn(`skipping "${name}": ${redisMissing}`);
  describe.skip(`${name} [skipped: ${redisMissing}]`, body);
}

export interface RedisServer {
  /** `redis://127.0.0.1:<port>`, with `:<password>@` when the server asks for one. */
  readonly url: string;
  readonly port: number;
  /** The server's pid (changes at a restart). */
  readonly pid: number;
  /** Stops the server by its pid and removes its folder; resolves once it has exited. */
  stop(): Promise<void>;
  /** Stops the server (if running) and starts it again on the same port (empty: persistence is off). */
  restart(): Promise<void>;
  /** `SIGSTOP`: the server holds its connections and data but answers nothing until `resume()`. */
  pause(): void;
  resume(): void;
}

export interface StartRedisOptions {
  /** Makes the server require this password (`requirepass`); the url then carries it. */
  readonly password?: string;
}

/** A limit that only catches a hang: a server on loopback answers within milliseconds. */
const READY_LIMIT_MS = 15_000;
const STOP_LIMIT_MS = 5_000;

const running = new Set<ChildProcess>();
let exitHookInstalled = false;

function killAllOnExit(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of running) {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  });
}

/** Whether something on 127.0.0.1:port answers a RESP `PING` (any reply counts). */
function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    const done = (answered: boolean): void => {
      socket.destroy();
      resolve(answered);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG') || reply.startsWith('-NOAUTH'));
    });
  });
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

interface Launch {
  readonly child: ChildProcess;
  /** The server's output so far (for an error message). */
  output(): string;
}

function launch(binary: string, configFile: string): Launch {
  const child = spawn(binary, [configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-4_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { child, output: () => output };
}

/** Waits until the server answers; rejects with its output if it exits first or never answers. */
async function ready(launched: Launch, port: number): Promise<void> {
  const deadline = Date.now() + READY_LIMIT_MS;
  for (;;) {
    const { child } = launched;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `redis-server exited (${child.exitCode ?? child.signalCode}) on port ${port}: ${launched.output()}`,
      );
    }
    if (await answersPing(port)) return;
    if (Date.now() > deadline) {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      throw new Error(`redis-server did not answer on port ${port} within ${READY_LIMIT_MS} ms: ${launched.output()}`);
    }
    await pause(20);
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const gone = exited(child);
  // a paused server would hold SIGTERM until it is continued
  process.kill(child.pid, 'SIGCONT');
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      process.kill(child.pid, 'SIGKILL');
    }
  }, STOP_LIMIT_MS);
  await gone;
  clearTimeout(timer);
}

/** Starts a `redis-server` on 127.0.0.1 on a free port, persistence off; see the file header. */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  const binary = redisServerPath;
  if (binary === undefined) throw new Error(redisMissing);
  killAllOnExit();
  const dir = mkdtempSync(join(tmpdir(), 'relock-redis-'));
  const configFile = join(dir, 'redis.conf');
  const writeConfig = (port: number): void => {
    const lines = [
      `port ${port}`,
      'bind 127.0.0.1',
      'protected-mode yes',
      'save ""',
      'appendonly no',
      `dir ${dir}`,
      'daemonize no',
      'logfile ""',
      'loglevel warning',
      ...(options.password === undefined ? [] : [`requirepass ${options.password}`]),
    ];
    writeFileSync(configFile, `${lines.join('\n')}\n`, { mode: 0o600 });
  };

  let port = 0;
  let current: Launch | undefined;
  // another process may take the free port before the server binds it: try a few
  for (let attempt = 1; current === undefined; attempt++) {
    port = await serverPort();
    writeConfig(port);
    const launched = launch(binary, configFile);
    try {
      await ready(launched, port);
      current = launched;
    } catch (error) {
      await stopChild(launched.child);
      if (attempt >= 5) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }

  const auth = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`;
  let live: Launch = current;
  return {
    url: `redis://${auth}127.0.0.1:${port}`,
    port,
    get pid() {
      return live.child.pid ?? -1;
    },
    async stop() {
      await stopChild(live.child);
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await stopChild(live.child);
      // also after stop(): the server comes back on the same port
      mkdirSync(dir, { recursive: true });
      writeConfig(port);
      const launched = launch(binary, configFile);
      await ready(launched, port);
      live = launched;
    },
    pause() {
      if (live.child.pid !== undefined) process.kill(live.child.pid, 'SIGSTOP');
    },
    resume() {
      if (live.child.pid !== undefined) process.kill(live.child.pid, 'SIGCONT');
    },
  };
}
