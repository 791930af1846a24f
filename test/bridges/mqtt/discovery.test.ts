/**
 * Home Assistant discovery on a real broker: the retained configs are well-formed (a unique id,
 * a device block and availability on every entity; unique ids unique across entities and locks),
 * and the command topics they announce drive relock.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { parseBridgeConfig } from '../../../src/bridges/mqtt/config.js';
import { discoveryMessages } from '../../../src/bridges/mqtt/discovery.js';
import { START, startTestBridge, type TestBridge } from './bridge-harness.js';
import { describeWithMosquitto, type Mosquitto, startMosquitto } from './mosquitto.js';
import { type Player, type Seen, startPlayer } from './player.js';

let broker: Mosquitto;
let player: Player;
const bridges: TestBridge[] = [];
const ENTITIES_PER_LOCK = 9;

const twoLocks = (z2m: (name: string) => string) => ({
  locks: [
    {
      id: 'front',
      name: 'Front Door',
      zigbee2mqtt: { lock: z2m('Front Lock'), contact: z2m('Front Contact') },
      autolock: { enabled: true, dayMinutes: 5, nightMinutes: 1 },
    },
    {
      id: 'garage.side', // a '.' becomes '_' in topics and ids
      name: 'Garage',
      generic: {
        lock: { topic: z2m('garage/state'), path: 'value', values: { locked: true, unlocked: false } },
      },
      command: { topic: z2m('garage/set'), payload: { value: true } },
    },
  ],
});

async function bridge(): Promise<TestBridge> {
  const test = await startTestBridge(broker.url, twoLocks);
  bridges.push(test);
  return test;
}

function configsOf(test: TestBridge): Seen[] {
  return player.messages.filter((m) => m.topic.startsWith(`ha-${test.tag}/`) && m.topic.endsWith('/config'));
}

describeWithMosquitto('Home Assistant discovery on a real broker', () => {
  beforeAll(async () => {
    broker = await startMosquitto();
    player = await startPlayer(broker.url);
  });
  afterEach(async () => {
    for (const test of bridges.splice(0)) await test.stop();
  });
  afterAll(async () => {
    await player?.end();
    await broker?.stop();
  });

  it('every entity of every lock has a unique id, a device block and availability; unique ids are unique; configs are retained', async () => {
    const test = await bridge();
    await test.waitMessage(player, () => configsOf(test).length >= 2 * ENTITIES_PER_LOCK);
    // a late subscriber gets the retained configs, as Home Assistant does when it starts
    const late = await startPlayer(broker.url, `ha-${test.tag}/#`);
    try {
      await test.waitMessage(late, () => late.messages.length >= 2 * ENTITIES_PER_LOCK);
      const configs = late.messages;
      expect(configs.every((m) => m.retain)).toBe(true);
      const uniqueIds = new Set<string>();
      for (const message of configs) {
        expect(message.topic).toMatch(
          new RegExp(
            `^ha-${test.tag}/(switch|number|sensor|button|binary_sensor)/${test.tag.replace(/[^\w-]/g, '_')}/[A-Za-z0-9_-]+/config$`,
          ),
        );
        const config = JSON.parse(message.payload);
        expect(typeof config.unique_id).toBe('string');
        uniqueIds.add(config.unique_id);
        expect(config.device.identifiers.length).toBeGreaterThan(0);
        expect(['Front Door', 'Garage']).toContain(config.device.name);
        expect(config.availability).toEqual([
          { topic: `${test.base}/status`, payload_available: 'online', payload_not_available: 'offline' },
        ]);
        if (!message.topic.includes('/button/')) expect(config.state_topic).toMatch(new RegExp(`^${test.base}/`));
      }
      expect(uniqueIds.size).toBe(2 * ENTITIES_PER_LOCK);
      const components = configs.map((m) => m.topic.split('/')[1]).sort();
      expect(components.filter((c) => c === 'button')).toHaveLength(4);
      expect(components.filter((c) => c === 'number')).toHaveLength(4);
      expect(components.filter((c) => c === 'switch')).toHaveLength(2);
      expect(components.filter((c) => c === 'binary_sensor')).toHaveLength(2);
      expect(components.filter((c) => c === 'sensor')).toHaveLength(6);
      const timestamp = configs.map((m) => JSON.parse(m.payload)).find((c) => c.device_class === 'timestamp');
      expect(timestamp.unique_id).toMatch(/_front_autolock_ends_at$/);
    } finally {
      await late.end();
    }
  });

  it('the announced command topics drive relock: day minutes, the autolock switch, lock now, cancel', async () => {
    const test = await bridge();
    await test.waitMessage(player, () => configsOf(test).length >= 2 * ENTITIES_PER_LOCK);
    const commandOf = (suffix: string): string => {
      const config = configsOf(test)
        .map((m) => JSON.parse(m.payload))
        .find((c) => c.unique_id.endsWith(`_front_${suffix}`));
      return config.command_topic as string;
    };

    // day minutes: 7, then an unlock counts down 7 minutes
    await player.publish(commandOf('day_minutes'), '7');
    await test.waitMessage(
      player,
      (m) => m.topic === `${test.base}/front/state` && JSON.parse(m.payload).day_minutes === 7,
    );
    await player.publish(test.z2m('Front Lock'), { state: 'UNLOCK', lock_state: 'unlocked' });
    const counting = await test.waitStatus('front', (s) => s.autolock === 'counting-down', 'countdown');
    expect(counting.endsAt).toBe(START + 7 * 60_000);

    // cancel autolock
    await player.publish(commandOf('cancel_autolock'), 'PRESS');
    await test.waitStatus('front', (s) => s.autolock === 'idle' && s.endsAt === null, 'cancelled');

    // lock now: relock's cycle with a zero countdown sends the command
    const mark = player.messages.length;
    await player.publish(commandOf('lock_now'), 'PRESS');
    const command = await test.waitMessage(player, (m) => m.topic === `${test.z2m('Front Lock')}/set`, mark);
    expect(JSON.parse(command.payload)).toEqual({ state: 'LOCK' });

    // the switch turns autolock off
    await player.publish(commandOf('autolock'), 'OFF');
    await test.waitStatus('front', (s) => !s.autolockEnabled, 'autolock off');
    await test.waitMessage(
      player,
      (m) => m.topic === `${test.base}/front/state` && JSON.parse(m.payload).autolock === 'OFF',
    );
  });

  it('the generic lock maps its JSON path and values, and is commanded with its own payload', async () => {
    const test = await bridge();
    await player.publish(test.z2m('garage/state'), { value: false });
    await test.waitStatus('garage.side', (s) => s.lockState === 'unlocked', 'unlocked');
    const mark = player.messages.length;
    await player.publish(`${test.base}/garage_side/start_autolock/set`, '2');
    const counting = await test.waitStatus('garage.side', (s) => s.autolock === 'counting-down', 'a 2 s countdown');
    expect(counting.durationSeconds).toBe(2);
    await test.clock.advance(2_000);
    const command = await test.waitMessage(player, (m) => m.topic === test.z2m('garage/set'), mark);
    expect(JSON.parse(command.payload)).toEqual({ value: true });
    await player.publish(test.z2m('garage/state'), { value: true });
    await test.waitStatus('garage.side', (s) => s.lockState === 'locked' && s.autolock !== 'confirming', 'locked');
  });

  it('discovery off and notifications off: no config and no notification is published, the state still is', async () => {
    const test = await startTestBridge(broker.url, (z2m) => ({
      ...twoLocks(z2m),
      homeAssistant: { discovery: false },
      notifications: { topic: null },
    }));
    bridges.push(test);
    await player.publish(test.z2m('Front Lock'), { lock_state: 'not_fully_locked' });
    await test.waitStatus('front', (s) => s.lockState === 'jammed', 'jammed');
    await test.waitMessage(
      player,
      (m) => m.topic === `${test.base}/front/state` && JSON.parse(m.payload).problem_reason === 'jammed',
    );
    // Home Assistant's birth message is not listened to either
    await player.publish(`ha-${test.tag}/status`, 'online');
    await player.publish(test.z2m('Front Lock'), { lock_state: 'locked' });
    await test.waitMessage(
      player,
      (m) => m.topic === `${test.base}/front/state` && JSON.parse(m.payload).lock_state === 'locked',
    );
    expect(configsOf(test)).toEqual([]);
    expect(player.messages.filter((m) => m.topic.startsWith(`${test.base}/notifications`))).toEqual([]);
    expect(test.events.some((e) => e.type === 'lock.jammed')).toBe(true);
  });

  it("Home Assistant's birth message (online) makes the bridge announce its configs again", async () => {
    const test = await bridge();
    await test.waitMessage(player, () => configsOf(test).length >= 2 * ENTITIES_PER_LOCK);
    const before = configsOf(test).length;
    await player.publish(`ha-${test.tag}/status`, 'online');
    await test.waitMessage(player, () => configsOf(test).length >= before + 2 * ENTITIES_PER_LOCK);
  });
});

it('discovery: unique ids stay unique across locks whose ids differ only by "." and ":" (refused at load)', () => {
  const doc = twoLocks((name) => `z/${name}`);
  const config = parseBridgeConfig(doc);
  const ids = discoveryMessages(config).map((m) => m.payload.unique_id);
  expect(new Set(ids).size).toBe(ids.length);
  expect(() =>
    parseBridgeConfig({
      locks: [doc.locks[1], { ...doc.locks[1], id: 'garage:side' }],
    }),
  ).toThrow(/Invalid locks\[1\]\.id: "garage:side" \(expected an id distinct from "garage\.side"/);
});
