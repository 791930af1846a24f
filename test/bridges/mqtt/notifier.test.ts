/**
 * The MQTT notifier: what waits while the broker is away, and what goes out once it is back.
 */
import { describe, expect, it } from 'vitest';
import type { MqttLink } from '../../../src/bridges/mqtt/connection.js';
import { mqttNotifier } from '../../../src/bridges/mqtt/notifier.js';
import { silentLogger } from '../../../src/logger.js';

function fakeLink() {
  const published: Array<{ topic: string; payload: string }> = [];
  let failNext = false;
  const link = {
    connected: false,
    publish(topic: string, payload: string) {
      if (failNext) {
        failNext = false;
        return Promise.reject(new Error('socket closed'));
      }
      published.push({ topic, payload });
      return Promise.resolve();
    },
  };
  return { link, published, failOnce: () => (failNext = true) };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('MQTT notifier', () => {
  it('while the broker is away, only the latest action per notification id is kept and sent at the next connect', async () => {
    const { link, published } = fakeLink();
    const notifier = mqttNotifier(link as unknown as MqttLink, 'relock/notifications', silentLogger);
    notifier.notify({ id: 'front_failed', title: 'Front', message: 'not locked (attempt 1 of 5)' });
    notifier.notify({ id: 'front_jammed', title: 'Front', message: 'jammed' });
    notifier.dismiss('front_failed');
    expect(published).toEqual([]);
    link.connected = true;
    notifier.flush();
    await settle();
    expect(published.map((p) => JSON.parse(p.payload))).toEqual([
      { action: 'dismiss', id: 'front_failed' },
      { action: 'notify', id: 'front_jammed', title: 'Front', message: 'jammed' },
    ]);
    notifier.flush();
    await settle();
    expect(published).toHaveLength(2); // sent once: nothing waits any more
  });

  it('a publish that fails is kept for the next connect', async () => {
    const { link, published, failOnce } = fakeLink();
    link.connected = true;
    const notifier = mqttNotifier(link as unknown as MqttLink, 'n', silentLogger);
    failOnce();
    notifier.notify({ id: 'x', title: 't', message: 'm' });
    await settle();
    expect(published).toEqual([]);
    notifier.flush();
    await settle();
    expect(published).toEqual([{ topic: 'n', payload: '{"action":"notify","id":"x","title":"t","message":"m"}' }]);
  });
});
