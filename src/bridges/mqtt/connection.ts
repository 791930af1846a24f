/**
 * The bridge's one connection to the broker (MQTT.js), with its own reconnect backoff.
 *
 * Invariants:
 * - nothing is queued while the broker is away: `publish` rejects at once when not connected
 *   (every publish is QoS 0 and goes out on the socket in order, or not at all). What must reach
 *   the broker after an outage is published again by the `onConnect` listeners (availability,
 *   discovery, states, pending notifications), so a lock command is never delivered late by a
 *   queue after relock counted it failed;
 * - the last-will (retained) marks the bridge `offline` when its connection dies without a
 *   clean disconnect; `end()` publishes `offline` itself before it disconnects;
 * - a lost or refused connection is retried after `reconnectMinSeconds`, doubled after each
 *   failed attempt up to `reconnectMaxSeconds`, back to the minimum once connected; the
 *   reconnect timers are real time (network), never relock's clock;
 * - every (re)connect subscribes again (clean session) before the `onConnect` listeners run;
 * - an `error` from MQTT.js is logged, never thrown: a broker that is down never crashes the
 *   bridge; the password never appears in a log line (the URL is shown redacted);
 * - `end()` is idempotent, stops reconnecting, and resolves once the client has closed (bounded:
 *   a client that does not close within a second has its socket destroyed).
 */
import { connect, type MqttClient } from 'mqtt';
import type { Logger } from '../../logger.js';
import { redactStoreUrl } from '../../persistence/store-url.js';
import type { MqttConnectionConfig } from './config.js';

export interface PublishOptions {
  readonly retain?: boolean;
}

export interface MqttLink {
  readonly connected: boolean;
  /** Resolves once connected; rejects with an Error when `signal` aborts first. */
  whenConnected(signal: AbortSignal): Promise<void>;
  /** Publishes (QoS 0) now; rejects at once when the broker is not connected. */
  publish(topic: string, payload: string, options?: PublishOptions): Promise<void>;
  /** Runs after every (re)connect, once the subscriptions are made. */
  onConnect(listener: () => void): void;
  /** `retained`: the broker replayed a retained message (not sent now). */
  onMessage(listener: (topic: string, payload: Buffer, retained: boolean) => void): void;
  /** Starts connecting. */
  start(): void;
  /** Publishes `offlinePayload` to the availability topic (when connected), disconnects, stops reconnecting. */
  end(): Promise<void>;
}

export interface LinkOptions {
  readonly config: MqttConnectionConfig;
  readonly logger: Logger;
  /** Subscribed on every connect. */
  readonly topics: () => readonly string[];
  /** The retained availability topic and its payloads; the will publishes `offline`. */
  readonly availability: { readonly topic: string; readonly online: string; readonly offline: string };
}

const END_LIMIT_MS = 1_000;

export function createMqttLink(options: LinkOptions): MqttLink {
  const { config, logger, availability } = options;
  const shownUrl = redactStoreUrl(config.url);
  const client: MqttClient = connect(config.url, {
    manualConnect: true,
    clientId: config.clientId,
    username: config.username,
    password: config.password,
    clean: true,
    reconnectPeriod: 0,
    resubscribe: false,
    queueQoSZero: false,
    connectTimeout: 10_000,
    will: { topic: availability.topic, payload: Buffer.from(availability.offline), qos: 1, retain: true },
  });
  const connectListeners: Array<() => void> = [];
  let connected = false;
  let ending = false;
  let delayMs = config.reconnectMinSeconds * 1000;
  let retry: NodeJS.Timeout | undefined;
  let everConnected = false;

  const scheduleReconnect = (): void => {
    if (ending || retry !== undefined) return;
    const wait = delayMs;
    delayMs = Math.min(delayMs * 2, config.reconnectMaxSeconds * 1000);
    logger.info('MQTT broker unavailable; reconnecting', { url: shownUrl, inMs: wait });
    retry = setTimeout(() => {
      retry = undefined;
      if (!ending) client.reconnect();
    }, wait);
  };

  client.on('connect', () => {
    connected = true;
    delayMs = config.reconnectMinSeconds * 1000;
    logger.info(everConnected ? 'MQTT reconnected' : 'MQTT connected', { url: shownUrl });
    everConnected = true;
    const topics = options.topics();
    const subscribed =
      topics.length === 0 ? Promise.resolve() : client.subscribeAsync([...topics], { qos: 1 }).then(() => undefined);
    subscribed.then(
      () => {
        if (!connected) return;
        for (const listener of connectListeners) {
          try {
            listener();
          } catch (error) {
            logger.error('MQTT connect listener failed', { message: (error as Error).message });
          }
        }
      },
      (error: Error) => logger.warn('MQTT subscribe failed', { message: error.message }),
    );
  });
  client.on('close', () => {
    const was = connected;
    connected = false;
    if (was && !ending) logger.warn('MQTT connection lost', { url: shownUrl });
    scheduleReconnect();
  });
  client.on('error', (error) => {
    logger.warn('MQTT error', { url: shownUrl, message: error.message });
  });

  return {
    get connected() {
      return connected;
    },
    whenConnected(signal) {
      if (signal.aborted) return Promise.reject(new Error('lock command aborted before it was sent'));
      if (connected) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const onConnect = (): void => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = (): void => {
          client.removeListener('connect', onConnect);
          reject(new Error(`not sent: the MQTT broker (${shownUrl}) stayed unreachable`));
        };
        client.once('connect', onConnect);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    },
    publish(topic, payload, publishOptions = {}) {
      if (!connected) return Promise.reject(new Error(`the MQTT broker (${shownUrl}) is not connected`));
      return new Promise((resolve, reject) => {
        client.publish(topic, payload, { qos: 0, retain: publishOptions.retain === true }, (error) =>
          error ? reject(error) : resolve(),
        );
      });
    },
    onConnect(listener) {
      connectListeners.push(listener);
    },
    onMessage(listener) {
      client.on('message', (topic, payload, packet) => listener(topic, payload, packet.retain));
    },
    start() {
      client.connect();
    },
    async end() {
      if (ending) return;
      ending = true;
      if (retry !== undefined) clearTimeout(retry);
      if (connected) {
        await new Promise<void>((resolve) => {
          client.publish(availability.topic, availability.offline, { qos: 0, retain: true }, () => resolve());
        });
      }
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          client.stream?.destroy();
          resolve();
        }, END_LIMIT_MS);
        client.end(false, {}, () => {
          clearTimeout(force);
          resolve();
        });
      });
      connected = false;
    },
  };
}
