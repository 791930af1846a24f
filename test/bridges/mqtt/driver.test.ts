/**
 * The MQTT lock driver and the command mapping, against fakes: the driver's abort and unknown-lock
 * rules (docs/driver-guide.md), and commands whose API call throws or rejects.
 */
import { describe, expect, it } from 'vitest';
import { runCommand } from '../../../src/bridges/mqtt/commands.js';
import { parseBridgeConfig } from '../../../src/bridges/mqtt/config.js';
import type { MqttLink } from '../../../src/bridges/mqtt/connection.js';
import { mqttLockDriver } from '../../../src/bridges/mqtt/driver.js';
import type { LogFields } from '../../../src/logger.js';
import type { Relock } from '../../../src/relock.js';

const config = parseBridgeConfig({ locks: [{ id: 'front', name: 'Front', zigbee2mqtt: { lock: 'z/front' } }] });
const lock = config.locks[0];
if (lock === undefined) throw new Error('a lock expected');

function fakeLink(connected: boolean) {
  const published: string[] = [];
  let connect: () => void = () => {};
  const link: Partial<MqttLink> = {
    whenConnected: (signal) =>
      connected
        ? Promise.resolve()
        : new Promise((resolve, reject) => {
            connect = resolve;
            signal.addEventListener('abort', () => reject(new Error('broker unreachable')));
          }),
    publish: (topic, payload) => {
      published.push(`${topic} ${payload}`);
      return Promise.resolve();
    },
  };
  return { link: link as MqttLink, published, connect: () => connect() };
}

describe('MQTT lock driver', () => {
  it('publishes the command payload to the command topic once connected', async () => {
    const { link, published } = fakeLink(true);
    await mqttLockDriver(config.locks, link).lock(
      { id: 'front', name: 'Front' },
      { signal: new AbortController().signal },
    );
    expect(published).toEqual(['z/front/set {"state":"LOCK"}']);
  });

  it('waits for the broker, and sends once it is back', async () => {
    const fake = fakeLink(false);
    const call = mqttLockDriver(config.locks, fake.link).lock(
      { id: 'front', name: 'Front' },
      { signal: new AbortController().signal },
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(fake.published).toEqual([]);
    fake.connect();
    await call;
    expect(fake.published).toHaveLength(1);
  });

  it('an abort while it waits rejects, and nothing is sent', async () => {
    const fake = fakeLink(false);
    const abort = new AbortController();
    const call = mqttLockDriver(config.locks, fake.link).lock({ id: 'front', name: 'Front' }, { signal: abort.signal });
    abort.abort();
    await expect(call).rejects.toThrow('broker unreachable');
    fake.connect();
    expect(fake.published).toEqual([]);
  });

  it('an aborted signal or an unknown lock rejects with an Error before anything is sent', async () => {
    const { link, published } = fakeLink(true);
    const driver = mqttLockDriver(config.locks, link);
    await expect(driver.lock({ id: 'front', name: 'Front' }, { signal: AbortSignal.abort() })).rejects.toThrow(
      'lock command for Front aborted before it was sent',
    );
    await expect(driver.lock({ id: 'back', name: 'Back' }, { signal: new AbortController().signal })).rejects.toThrow(
      'no MQTT lock configured with id "back"',
    );
    expect(published).toEqual([]);
  });
});

describe('commands mapped onto the API', () => {
  function context(relock: Partial<Relock>) {
    const warnings: Array<[string, LogFields | undefined]> = [];
    const noop = (): void => {};
    return {
      warnings,
      value: {
        relock: relock as Relock,
        logger: { debug: noop, info: noop, warn: (m: string, f?: LogFields) => warnings.push([m, f]), error: noop },
      },
    };
  }

  it('a setAutolock that throws is logged, never thrown', () => {
    const ctx = context({
      setAutolock: () => {
        throw new Error('lock removed');
      },
    });
    runCommand(ctx.value, lock, 'day_minutes', '9');
    expect(ctx.warnings).toEqual([['MQTT command failed: setAutolock', { lockId: 'front', message: 'lock removed' }]]);
  });

  it('minutes accepted are set (the status carries them to Home Assistant); "5.0" from a Home Assistant number is 5', () => {
    const calls: unknown[] = [];
    const ctx = context({ setAutolock: (_id, settings) => void calls.push(settings) });
    runCommand(ctx.value, lock, 'night_minutes', '5.0');
    expect(calls).toEqual([{ nightMinutes: 5 }]);
  });

  it('a start that throws at once or rejects later is logged, never thrown', async () => {
    const ctx = context({
      startAutolock: () => {
        throw new Error('stopped');
      },
      cancelAutolock: () => Promise.reject(new Error('store down')),
    });
    runCommand(ctx.value, lock, 'start_autolock', 'PRESS');
    runCommand(ctx.value, lock, 'cancel_autolock', 'PRESS');
    await new Promise((resolve) => setImmediate(resolve));
    expect(ctx.warnings.map(([message, fields]) => [message, fields?.message])).toEqual([
      ['MQTT command failed: start autolock', 'stopped'],
      ['MQTT command failed: cancel autolock', 'store down'],
    ]);
  });
});
