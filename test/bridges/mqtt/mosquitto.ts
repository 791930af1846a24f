/**
 * A real `mosquitto` broker for tests: Debian's binary, started per test file on 127.0.0.1.
 *
 * Invariants:
 * - the broker listens on 127.0.0.1 only, on a free port, with anonymous access and persistence
 *   off, from a generated config file in a folder of its own;
 * - `startMosquitto()` resolves once the broker answers an MQTT CONNECT; a broker that exits
 *   first, or does not answer within a limit that only catches a hang, is an error carrying its
 *   own output;
 * - a broker is stopped by its pid (`SIGTERM`, then `SIGKILL` if it lingers), never by name;
 *   every broker still running when the test process exits is killed by its pid then;
 * - `restart()` stops it (if running) and starts it again on the same port (empty: no
 *   persistence); `stop()` also removes its folder;
 * - the binary is looked up on the PATH and in /usr/sbin (Debian installs it there, which is not
 *   on every PATH); without it `mosquittoMissing` says so and `describeWithMosquitto` skips its
 *   tests under a name that says what is missing and how to install it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { connectAsync } from 'mqtt';
import { describe } from 'vitest';
import { serverPort } from '../../support/server-port.js';

export const mosquittoPath: string | undefined = [
  ...(process.env.PATH ?? '').split(delimiter),
  '/usr/sbin',
  '/usr/local/sbin',
]
  .filter(Boolean)
  .map((dir) => join(dir, 'mosquitto'))
  .find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

export const mosquittoMissing: string | undefined =
  mosquittoPath === undefined
    ? 'mosquitto not found on the PATH or in /usr/sbin (install it: apt-get install -y mosquitto; .ci/run does)'
    : undefined;

/** A `describe` whose tests need a real broker: skipped, saying why, when there is none. */
export function describeWithMosquitto(name: string, body: () => void): void {
  if (mosquittoMissing === undefined) {
    describe(name, body);
    return;
  }
  console.warn(`skipping "${name}": ${mosquittoMissing}`);
  describe.skip(`${name} [skipped: ${mosquittoMissing}]`, body);
}

export interface Mosquitto {
  /** `mqtt://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Whether the broker process is running (false after `stop()` until `restart()`). */
  readonly running: boolean;
  stop(): Promise<void>;
  /** Starts it again on the same port (after `stop()`, or stopping it first). */
  restart(): Promise<void>;
}

/** Limits that only catch a hang: a broker on loopback answers within milliseconds. */
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

async function answersConnect(port: number): Promise<boolean> {
  try {
    const client = await connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 1_000 });
    await client.endAsync(true);
    return true;
  } catch {
    return false;
  }
}

const pause = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Launch {
  readonly child: ChildProcess;
  output(): string;
}

function launch(binary: string, configFile: string): Launch {
  const child = spawn(binary, ['-c', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
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

async function ready(launched: Launch, port: number): Promise<void> {
  const deadline = Date.now() + READY_LIMIT_MS;
  for (;;) {
    const { child } = launched;
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`mosquitto exited (${child.exitCode ?? child.signalCode}) on port ${port}: ${launched.output()}`);
    }
    if (await answersConnect(port)) return;
    if (Date.now() > deadline) {
      if (child.pid !== undefined) process.kill(child.pid, 'SIGKILL');
      throw new Error(`mosquitto did not answer on port ${port} within ${READY_LIMIT_MS} ms: ${launched.output()}`);
    }
    await pause(20);
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null)
      process.kill(child.pid, 'SIGKILL');
  }, STOP_LIMIT_MS);
  await gone;
  clearTimeout(timer);
}

/** Starts `mosquitto` on 127.0.0.1 on a free port, persistence off; see the file header. */
export async function startMosquitto(): Promise<Mosquitto> {
  const binary = mosquittoPath;
  if (binary === undefined) throw new Error(mosquittoMissing);
  killAllOnExit();
  const dir = mkdtempSync(join(tmpdir(), 'relock-mosquitto-'));
  const configFile = join(dir, 'mosquitto.conf');
  const writeConfig = (port: number): void => {
    const lines = [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest stderr'];
    writeFileSync(configFile, `${lines.join('\n')}\n`);
  };
  let port = 0;
  let current: Launch | undefined;
  // another process may take the free port before the broker binds it: try a few
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
  let live: Launch = current;
  return {
    url: `mqtt://127.0.0.1:${port}`,
    port,
    get pid() {
      return live.child.pid ?? -1;
    },
    get running() {
      return live.child.exitCode === null && live.child.signalCode === null;
    },
    async stop() {
      await stopChild(live.child);
      rmSync(dir, { recursive: true, force: true });
    },
    async restart() {
      await stopChild(live.child);
      mkdirSync(dir, { recursive: true });
      writeConfig(port);
      const launched = launch(binary, configFile);
      await ready(launched, port);
      live = launched;
    },
  };
}
