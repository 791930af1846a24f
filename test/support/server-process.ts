/**
 * A real server process for tests (Debian's `redis-server`, `mosquitto`): found, started on
 * 127.0.0.1 on a port of its own, waited for, restarted on the same port, stopped by its pid.
 *
 * Invariants:
 * - the binary is looked up on the PATH (and the extra folders given); without it, `missing`
 *   says what is missing and how to install it, and `describeWith` skips its tests under a name
 *   that says so;
 * - a server counts as started once `answers(port)` holds; one that exits first, or does not
 *   answer within a limit that only catches a hang, is an error carrying its own output, and the
 *   start is tried again on another port (another process may have taken the port);
 * - the port comes from `serverPort()` (below the ephemeral range), so a restart finds it free;
 * - a server is stopped by its pid (`SIGCONT`, so a paused one hears it, then `SIGTERM`, then
 *   `SIGKILL` if it lingers), never by name; every server still running when the test process
 *   exits is killed by its pid then; `stop()` removes the server's folder.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { describe } from 'vitest';
import { serverPort } from './server-port.js';

/** Limits that only catch a hang: a server on loopback answers within milliseconds. */
const READY_LIMIT_MS = 15_000;
const STOP_LIMIT_MS = 5_000;
const START_ATTEMPTS = 5;

/** An executable `name` on the PATH or in one of `extraDirs`, if any. */
export function findBinary(name: string, extraDirs: readonly string[] = []): string | undefined {
  return [...(process.env.PATH ?? '').split(delimiter), ...extraDirs]
    .filter(Boolean)
    .map((dir) => join(dir, name))
    .find((file) => {
      try {
        accessSync(file, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

/** A `describe` whose tests need a server: skipped, saying why (`missing`), when there is none. */
export function describeWith(missing: string | undefined, name: string, body: () => void): void {
  if (missing === undefined) {
    describe(name, body);
    return;
  }
  console.warn(`skipping "${name}": ${missing}`);
  describe.skip(`${name} [skipped: ${missing}]`, body);
}

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

interface Launch {
  readonly child: ChildProcess;
  /** The server's output so far (for an error message). */
  output(): string;
}

function launch(binary: string, args: readonly string[]): Launch {
  const child = spawn(binary, [...args], { stdio: ['ignore', 'pipe', 'pipe'] });
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

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function alive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || !alive(child)) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGCONT');
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.pid !== undefined && alive(child)) process.kill(child.pid, 'SIGKILL');
  }, STOP_LIMIT_MS);
  await gone;
  clearTimeout(timer);
}

export interface ServerSpec {
  /** How the server is named in errors (`redis-server`). */
  readonly what: string;
  readonly binary: string;
  /** Writes the server's config for `port` into its folder; returns the command-line arguments. */
  readonly configure: (dir: string, port: number) => string[];
  /** Whether the server on `port` answers (a PING, an MQTT CONNECT). */
  readonly answers: (port: number) => Promise<boolean>;
}

export interface ServerProcess {
  readonly port: number;
  /** The live server's pid (changes at a restart). */
  readonly pid: number;
  readonly running: boolean;
  stop(): Promise<void>;
  /** Stops it (if running) and starts it again on the same port. */
  restart(): Promise<void>;
  /** `SIGSTOP` / `SIGCONT`: the server keeps its connections but answers nothing meanwhile. */
  pause(): void;
  resume(): void;
}

async function ready(spec: ServerSpec, launched: Launch, port: number): Promise<void> {
  const deadline = Date.now() + READY_LIMIT_MS;
  for (;;) {
    const { child } = launched;
    if (!alive(child)) {
      throw new Error(
        `${spec.what} exited (${child.exitCode ?? child.signalCode}) on port ${port}: ${launched.output()}`,
      );
    }
    if (await spec.answers(port)) return;
    if (Date.now() > deadline) {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      throw new Error(`${spec.what} did not answer on port ${port} within ${READY_LIMIT_MS} ms: ${launched.output()}`);
    }
    await pause(20);
  }
}

/** Starts the server on 127.0.0.1 on a port of its own; see the file header. */
export async function startServer(spec: ServerSpec): Promise<ServerProcess> {
  killAllOnExit();
  const dir = mkdtempSync(join(tmpdir(), `relock-${spec.what}-`));
  let port = 0;
  let current: Launch | undefined;
  for (let attempt = 1; current === undefined; attempt++) {
    port = await serverPort();
    const launched = launch(spec.binary, spec.configure(dir, port));
    try {
      await ready(spec, launched, port);
      current = launched;
    } catch (error) {
      await stopChild(launched.child);
      if (attempt >= START_ATTEMPTS) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
  let live: Launch = current;
  const signal = (name: NodeJS.Signals): void => {
    if (live.child.pid !== undefined) process.kill(live.child.pid, name);
  };
  return {
    port,
    get pid() {
      return live.child.pid ?? -1;
    },
    get running() {
      return alive(live.child);
    },
    async stop() {
      await stopChild(live.child);
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await stopChild(live.child);
      // also after stop(): the server comes back on the same port
      mkdirSync(dir, { recursive: true });
      const launched = launch(spec.binary, spec.configure(dir, port));
      await ready(spec, launched, port);
      live = launched;
    },
    pause: () => signal('SIGSTOP'),
    resume: () => signal('SIGCONT'),
  };
}
