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
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { connectAsync } from 'mqtt';
import { describeWith, findBinary, startServer } from '../../support/server-process.js';

export const mosquittoPath: string | undefined = findBinary('mosquitto', ['/usr/sbin', '/usr/local/sbin']);

export const mosquittoMissing: string | undefined =
  mosquittoPath === undefined
    ? 'mosquitto not found on the PATH or in /usr/sbin (install it: apt-get install -y mosquitto; .ci/run does)'
    : undefined;

/** A `describe` whose tests need a real broker: skipped, saying why, when there is none. */
export function describeWithMosquitto(name: string, body: () => void): void {
  describeWith(mosquittoMissing, name, body);
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

async function answersConnect(port: number): Promise<boolean> {
  try {
    const client = await connectAsync(`mqtt://127.0.0.1:${port}`, { reconnectPeriod: 0, connectTimeout: 1_000 });
    await client.endAsync(true);
    return true;
  } catch {
    return false;
  }
}

/** Starts `mosquitto` on 127.0.0.1 on a port of its own, persistence off; see the file header. */
export async function startMosquitto(): Promise<Mosquitto> {
  const binary = mosquittoPath;
  if (binary === undefined) throw new Error(mosquittoMissing);
  const server = await startServer({
    what: 'mosquitto',
    binary,
    answers: answersConnect,
    configure: (dir, port) => {
      const configFile = join(dir, 'mosquitto.conf');
      const lines = [`listener ${port} 127.0.0.1`, 'allow_anonymous true', 'persistence false', 'log_dest stderr'];
      writeFileSync(configFile, `${lines.join('\n')}\n`);
      return ['-c', configFile];
    },
  });
  return {
    url: `mqtt://127.0.0.1:${server.port}`,
    port: server.port,
    get pid() {
      return server.pid;
    },
    get running() {
      return server.running;
    },
    stop: () => server.stop(),
    restart: () => server.restart(),
  };
}
