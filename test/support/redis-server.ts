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
import { writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { describeWith, findBinary, startServer } from './server-process.js';

/** The `redis-server` binary on the PATH, if any. */
export const redisServerPath: string | undefined = findBinary('redis-server');

/** Why Redis tests cannot run here, or undefined when they can. */
export const redisMissing: string | undefined =
  redisServerPath === undefined
    ? 'redis-server not found on the PATH (install it: apt-get install -y redis-server; .ci/run does)'
    : undefined;

/** A `describe` whose tests need a real `redis-server`: skipped, saying why, when there is none. */
export function describeWithRedis(name: string, body: () => void): void {
  describeWith(redisMissing, name, body);
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

/** Starts a `redis-server` on 127.0.0.1 on a port of its own, persistence off; see the file header. */
export async function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  const binary = redisServerPath;
  if (binary === undefined) throw new Error(redisMissing);
  const server = await startServer({
    what: 'redis-server',
    binary,
    answers: answersPing,
    configure: (dir, port) => {
      const configFile = join(dir, 'redis.conf');
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
      return [configFile];
    },
  });
  const auth = options.password === undefined ? '' : `:${encodeURIComponent(options.password)}@`;
  return {
    url: `redis://${auth}127.0.0.1:${server.port}`,
    port: server.port,
    get pid() {
      return server.pid;
    },
    stop: () => server.stop(),
    restart: () => server.restart(),
    pause: () => server.pause(),
    resume: () => server.resume(),
  };
}
