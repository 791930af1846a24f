/**
 * A test's MQTT client: plays zigbee2mqtt devices and Home Assistant, and records every message
 * it sees on `#` so a test can wait for one.
 *
 * Invariants:
 * - every wait is event-driven and bounded by a limit that only catches a hang (a message on
 *   loopback arrives in milliseconds), so no verdict depends on machine load;
 * - `messages` keeps every message in arrival order, retained ones flagged;
 * - the player keeps its own reconnect (MQTT.js default) so it survives a broker restart.
 */
import { connectAsync, type MqttClient } from 'mqtt';

export interface Seen {
  readonly topic: string;
  readonly payload: string;
  readonly retain: boolean;
}

/** Only catches a hang. */
export const HANG_LIMIT_MS = 15_000;

export interface Player {
  readonly client: MqttClient;
  readonly messages: Seen[];
  publish(topic: string, payload: string | object, options?: { retain?: boolean }): Promise<void>;
  /** The first message (from `from` on) matching, waiting for it if need be. */
  waitFor(match: (message: Seen) => boolean, options?: { from?: number; limitMs?: number }): Promise<Seen>;
  /** Messages on a topic, in order. */
  on(topic: string): Seen[];
  end(): Promise<void>;
}

export async function startPlayer(url: string, subscribe = '#'): Promise<Player> {
  const client = await connectAsync(url, { reconnectPeriod: 200, clean: true });
  const messages: Seen[] = [];
  const waiters = new Set<() => void>();
  client.on('message', (topic, payload, packet) => {
    messages.push({ topic, payload: payload.toString(), retain: packet.retain });
    for (const waiter of waiters) waiter();
  });
  client.on('error', () => {});
  await client.subscribeAsync(subscribe, { qos: 1 });
  client.on('connect', () => {
    client.subscribe(subscribe, { qos: 1 });
  });
  return {
    client,
    messages,
    async publish(topic, payload, options = {}) {
      await client.publishAsync(topic, typeof payload === 'string' ? payload : JSON.stringify(payload), {
        qos: 1,
        retain: options.retain === true,
      });
    },
    waitFor(match, options = {}) {
      const from = options.from ?? 0;
      const limit = options.limitMs ?? HANG_LIMIT_MS;
      return new Promise((resolve, reject) => {
        const check = (): boolean => {
          const found = messages.slice(from).find(match);
          if (found === undefined) return false;
          waiters.delete(waiter);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const waiter = (): void => {
          check();
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(
            new Error(`no matching MQTT message within ${limit} ms; last seen: ${JSON.stringify(messages.slice(-5))}`),
          );
        }, limit);
        waiters.add(waiter);
        check();
      });
    },
    on(topic) {
      return messages.filter((message) => message.topic === topic);
    },
    async end() {
      await client.endAsync(true);
    },
  };
}

/** Waits (bounded) until `condition()` holds, checking after each turn of the event loop. */
export async function until(condition: () => boolean, what: string, limitMs = HANG_LIMIT_MS): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${limitMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
