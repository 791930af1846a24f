/**
 * A `redis://host[:port][/db]` store relock opens itself, on `@keyv/redis` (an optional peer
 * dependency, imported only here and only when such a URL is given).
 *
 * Invariants:
 * - the URL is `redis://[[user]:password@]host[:port][/db]` (port 1 to 65535, default 6379; db a
 *   whole number, default 0), nothing else: anything malformed is an `InvalidArgumentError` on
 *   `store` showing the URL redacted (`redactStoreUrl`): no message, log or event shows a password;
 * - the open connects once and must succeed: an unreachable server, a refused password or an
 *   unknown database is a `StoreError('open', <redacted url>)` that names the store option, never
 *   a wait; a connection attempt is bounded by `CONNECT_TIMEOUT_MS` (real time: it is I/O, before
 *   relock's clock is in use);
 * - once connected, a lost connection is re-made in the background (100 ms doubling to 2 s, for
 *   as long as the store is open); while it is down every command fails at once (no offline
 *   queue): @keyv/redis's default would hold each call until Redis is back (tens of seconds, or
 *   for ever); here relock's own store calls fail, are reported (`store.error`) and retried on
 *   relock's schedule. A command sent to a server that does not answer (paused, a dead peer) is
 *   bounded by relock's `storeTimeoutMs`, not here;
 * - keys are laid out as on SQLite: keyv prefixes `relock:` once (`relock:owner`,
 *   `relock:timer:<id>`, `relock:lock:<id>`); the adapter's own `relock::` prefix is turned off;
 *   values are keyv's serialized strings (a plain `Keyv` with namespace `relock` reads them);
 * - `disconnect()` closes the connection at once (relock has flushed and released the store by
 *   then, and never waits on a server that does not answer); after it the store refuses calls
 *   instead of connecting again;
 * - the errors the client emits are not thrown (relock reports failing calls itself).
 */
import Keyv from 'keyv';
import { InvalidArgumentError, StoreError } from '../errors.js';
import { loadStorePackage } from './store-packages.js';
import { redactStoreUrl } from './store-url.js';

/** How long one connection attempt may take before it counts as failed. */
export const CONNECT_TIMEOUT_MS = 5_000;
/** The longest wait between two attempts to re-make a lost connection. */
const MAX_RECONNECT_DELAY_MS = 2_000;

/** A parsed `redis://` store option. */
export interface RedisTarget {
  /** The URL as given (it may hold a password: never shown). */
  readonly url: string;
  /** The URL as shown in errors and logs. */
  readonly shown: string;
  readonly host: string;
  readonly port: number;
  readonly db: number;
  /** The password, if any (to scrub it from errors the client raises). */
  readonly password: string;
}

const EXPECTED = 'a Redis URL redis://[[user]:password@]host[:port][/db], port 1 to 65535, db a whole number';

/** Parses a `redis://` URL, or throws `InvalidArgumentError` on `field` (the URL redacted). */
export function parseRedisUrl(option: string, field = 'store'): RedisTarget {
  const shown = redactStoreUrl(option);
  const invalid = (): InvalidArgumentError => new InvalidArgumentError(field, shown, EXPECTED);
  let parsed: URL;
  try {
    parsed = new URL(option);
  } catch {
    throw invalid();
  }
  const db = parsed.pathname === '' || parsed.pathname === '/' ? '0' : parsed.pathname.slice(1);
  const port = parsed.port === '' ? 6379 : Number(parsed.port);
  if (
    parsed.protocol !== 'redis:' ||
    parsed.hostname === '' ||
    parsed.search !== '' ||
    parsed.hash !== '' ||
    !/^\d{1,9}$/.test(db) ||
    !Number.isInteger(port) ||
    port < 1 ||
    port > 65_535
  ) {
    throw invalid();
  }
  let password: string;
  try {
    password = decodeURIComponent(parsed.password);
  } catch {
    throw invalid();
  }
  return { url: option, shown, host: parsed.hostname, port, db: Number(db), password };
}

/** The server and database a target names: two options naming the same one share a store. */
export function redisIdentity(target: RedisTarget): string {
  return `redis://${target.host.toLowerCase()}:${target.port}/${target.db}`;
}

/** The error, or a copy of it whose message no longer holds the password (as given or URL-encoded). */
export function scrubbed(error: unknown, password: string): unknown {
  const message = error instanceof Error ? error.message : String(error);
  const secrets = [password, encodeURIComponent(password)].filter((secret) => secret.length > 0);
  if (!secrets.some((secret) => message.includes(secret))) return error;
  let clean = message;
  for (const secret of secrets) clean = clean.split(secret).join('***');
  return new Error(clean);
}

type RedisModule = Awaited<ReturnType<typeof loadStorePackage<'@keyv/redis'>>>;

/**
 * A node-redis client for `target` as relock uses one (the `redis://` store, the cluster): no
 * offline queue (a call while Redis is down fails at once), a first connection bounded by
 * `CONNECT_TIMEOUT_MS` that must succeed, a lost one re-made. `connect()` rejects with a
 * `StoreError('open')` whose cause never shows the password.
 */
export function relockRedisClient(target: RedisTarget, createClient: RedisModule['createClient'], field = 'store') {
  let connected = false;
  const client = createClient({
    url: target.url,
    // while the connection is down a command fails at once, to be retried by relock
    disableOfflineQueue: true,
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      // the first connection must succeed (the open reports why not); a lost one is re-made
      reconnectStrategy: (retries: number, cause: Error) =>
        connected ? Math.min(MAX_RECONNECT_DELAY_MS, 100 * 2 ** Math.min(retries, 5)) : cause,
    },
  });
  // every failing call is reported by relock itself; without a listener the emitter would throw
  client.on('error', () => {});
  const connect = async (): Promise<void> => {
    try {
      await client.connect();
      connected = true;
    } catch (error) {
      if (client.isOpen) client.destroy();
      throw new StoreError(
        'open',
        target.shown,
        scrubbed(error, target.password),
        `check the ${field} option: that Redis runs at ${target.host}:${target.port} and answers this process, ` +
          `and that its password and database number ${target.db} are right`,
      );
    }
  };
  return { client, connect };
}

/** Connects to the Redis a `redis://` option names and returns relock's Keyv on it. */
export async function openRedisStore(option: string): Promise<{ keyv: Keyv; identity: string }> {
  const target = parseRedisUrl(option);
  const { default: KeyvRedis, createClient } = await loadStorePackage('@keyv/redis', target.shown);
  const { client, connect } = relockRedisClient(target, createClient);
  let closed = false;
  class RelockRedis extends KeyvRedis<string> {
    override async getClient(): ReturnType<InstanceType<typeof KeyvRedis>['getClient']> {
      // after disconnect() a late call must not connect again (it would keep the process alive)
      if (closed) throw new Error(`the store ${target.shown} is closed`);
      return super.getClient();
    }

    override async disconnect(): Promise<void> {
      closed = true;
      if (client.isOpen) client.destroy();
    }
  }
  const adapter = new RelockRedis(client, { throwOnErrors: true, throwOnConnectError: true });
  adapter.on('error', () => {});

  await connect().catch((error: unknown) => {
    closed = true;
    throw error;
  });
  const keyv = new Keyv({ store: adapter, namespace: 'relock', throwOnErrors: true });
  // keyv prefixes `relock:` itself; the adapter's own `relock::` on top would double it
  adapter.namespace = undefined;
  return { keyv, identity: redisIdentity(target) };
}
