/**
 * The MQTT bridge against a real mosquitto, in process: relock on a ManualClock, a zigbee2mqtt
 * lock and contact sensor played with MQTT.js. Every wait on the network is event-driven and
 * bounded only to catch a hang; simulated time moves only when a test advances it.
 */
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { START, startTestBridge, type TestBridge } from './bridge-harness.js';
import { describeWithMosquitto, type Mosquitto, startMosquitto } from './mosquitto.js';
import { type Player, startPlayer, until } from './player.js';

const UNLOCKED = { state: 'UNLOCK', lock_state: 'unlocked', battery: 90 };
const LOCKED = { state: 'LOCK', lock_state: 'locked', battery: 90 };
const MINUTE = 60_000;

let broker: Mosquitto;
let player: Player;
const bridges: TestBridge[] = [];

function frontDoor(doorMode = 'countdown') {
  return (z2m: (name: string) => string) => ({
    locks: [
      {
        id: 'front',
        name: 'Front Door',
        zigbee2mqtt: { lock: z2m('Front Lock'), contact: z2m('Front Contact') },
        autolock: { enabled: true, dayMinutes: 5, nightMinutes: 5, doorMode },
      },
    ],
  });
}

async function bridgeWith(build: Parameters<typeof startTestBridge>[1]): Promise<TestBridge> {
  const test = await startTestBridge(broker.url, build);
  bridges.push(test);
  await test.waitMessage(player, (m) => m.topic === `${test.base}/status` && m.payload === 'online');
  return test;
}

describeWithMosquitto('MQTT bridge on a real broker', () => {
  beforeAll(async () => {
    broker = await startMosquitto();
    player = await startPlayer(broker.url);
  });
  afterEach(async () => {
    for (const test of bridges.splice(0)) await test.stop();
    if (!broker.running) await broker.restart(); // a test that failed while the broker was down
  });
  afterAll(async () => {
    await player?.end();
    await broker?.stop();
  });

  it('an unlock starts the countdown; at the deadline {"state":"LOCK"} goes to <lock>/set; the lock state confirms', async () => {
    const test = await bridgeWith(frontDoor());
    await player.publish(test.z2m('Front Lock'), UNLOCKED);
    const counting = await test.waitStatus('front', (s) => s.autolock === 'counting-down', 'countdown');
    expect(counting.endsAt).toBe(START + 5 * MINUTE);
    const counted = JSON.parse(
      (
        await test.waitMessage(player, (m) => {
          if (m.topic !== `${test.base}/front/state`) return false;
          const state = JSON.parse(m.payload);
          return state.phase === 'counting-down' && state.lock_state === 'unlocked';
        })
      ).payload,
    );
    expect(counted).toMatchObject({
      autolock: 'ON',
      day_minutes: 5,
      ends_at: new Date(START + 5 * MINUTE).toISOString(),
      lock_state: 'unlocked',
      problem: 'OFF',
    });

    // the remaining seconds are published while the countdown runs (every 10 s of relock's clock)
    await test.clock.advance(10_000);
    await test.waitMessage(
      player,
      (m) => m.topic === `${test.base}/front/state` && JSON.parse(m.payload).remaining_seconds === 290,
    );

    await test.clock.advance(5 * MINUTE - 10_000 - 1);
    expect(player.on(`${test.z2m('Front Lock')}/set`)).toEqual([]);
    expect(test.status('front').autolock).toBe('counting-down');

    const mark = player.messages.length;
    await test.clock.advance(1);
    const command = await test.waitMessage(player, (m) => m.topic === `${test.z2m('Front Lock')}/set`, mark);
    expect(JSON.parse(command.payload)).toEqual({ state: 'LOCK' });
    expect(command.retain).toBe(false);
    await test.waitStatus('front', (s) => s.autolock === 'confirming', 'waiting for the confirmation');

    await player.publish(test.z2m('Front Lock'), LOCKED);
    const done = await test.waitStatus('front', (s) => s.lockState === 'locked' && s.autolock === 'idle', 'confirmed');
    expect(done.endsAt).toBeNull();
    expect(test.events.filter((e) => e.type === 'autolock.confirmed')).toHaveLength(1);
    await test.waitMessage(
      player,
      (m) =>
        m.topic === `${test.base}/front/state` &&
        JSON.parse(m.payload).phase === 'idle' &&
        JSON.parse(m.payload).lock_state === 'locked',
    );
    expect(player.on(`${test.z2m('Front Lock')}/set`)).toHaveLength(1);
  });

  it('door-aware mode: the door open at the deadline holds the command (problem: door-open) until the contact closes', async () => {
    const test = await bridgeWith(frontDoor('never-while-open'));
    await player.publish(test.z2m('Front Lock'), UNLOCKED);
    await player.publish(test.z2m('Front Contact'), { contact: false, battery: 80 });
    await test.waitStatus('front', (s) => s.autolock === 'counting-down' && s.doorState === 'open', 'open, counting');

    await test.clock.advance(5 * MINUTE);
    await test.waitStatus('front', (s) => s.autolock === 'waiting-for-door', 'waiting for the door');
    expect(test.events.some((e) => e.type === 'autolock.retry-pending')).toBe(true);
    expect(test.events.some((e) => e.type === 'autolock.fired' && e.outcome === 'locked')).toBe(false);
    await test.waitMessage(
      player,
      (m) => m.topic === `${test.base}/front/state` && JSON.parse(m.payload).problem_reason === 'door-open',
    );
    expect(test.states(player, 'front').find((s) => s.problem_reason === 'door-open')).toMatchObject({ problem: 'ON' });
    expect(player.on(`${test.z2m('Front Lock')}/set`)).toEqual([]);

    const mark = player.messages.length;
    await player.publish(test.z2m('Front Contact'), { contact: true, battery: 80 });
    const command = await test.waitMessage(player, (m) => m.topic === `${test.z2m('Front Lock')}/set`, mark);
    expect(JSON.parse(command.payload)).toEqual({ state: 'LOCK' });
    await player.publish(test.z2m('Front Lock'), LOCKED);
    await test.waitStatus('front', (s) => s.lockState === 'locked' && s.autolock === 'idle', 'locked');
    expect(player.on(`${test.z2m('Front Lock')}/set`)).toHaveLength(1);
  });

  it('broker restarted mid-countdown: the countdown runs on, the fire waits for the broker and goes out once it is back', async () => {
    const test = await bridgeWith(frontDoor());
    await player.publish(test.z2m('Front Lock'), UNLOCKED);
    await test.waitStatus('front', (s) => s.autolock === 'counting-down', 'countdown');

    await broker.stop();
    await until(() => !test.bridge.connected, 'the bridge sees the broker gone');
    await test.clock.advance(5 * MINUTE);
    // the fire is under way and waits for the broker (within the 30 s action timeout)
    await test.waitStatus('front', (s) => s.autolock === 'locking', 'the fire waits');
    expect(test.events.some((e) => e.type === 'autolock.failed')).toBe(false);

    await broker.restart();
    await until(() => test.bridge.connected, 'the bridge reconnects');
    await test.waitStatus('front', (s) => s.autolock === 'confirming', 'the command went out after the reconnect');
    const fired = test.events.filter((e) => e.type === 'autolock.fired');
    expect(fired).toEqual([expect.objectContaining({ outcome: 'locked', attempt: 1 })]);
    expect(test.events.some((e) => e.type === 'autolock.failed')).toBe(false);

    await until(() => player.client.connected, 'the player reconnects');
    await player.client.subscribeAsync('#', { qos: 1 });
    await player.publish(test.z2m('Front Lock'), LOCKED);
    await test.waitStatus('front', (s) => s.lockState === 'locked' && s.autolock === 'idle', 'confirmed');
  });

  it('broker away past the action timeout: the attempt fails (not sent, no late command) and the retry is published once the broker is back', async () => {
    const test = await bridgeWith(frontDoor());
    await player.publish(test.z2m('Front Lock'), UNLOCKED);
    await test.waitStatus('front', (s) => s.autolock === 'counting-down', 'countdown');

    await broker.stop();
    await until(() => !test.bridge.connected, 'the bridge sees the broker gone');
    await test.clock.advance(5 * MINUTE);
    await test.waitStatus('front', (s) => s.autolock === 'locking', 'the fire waits');
    await test.clock.advance(30_000); // relock's action timeout aborts the wait
    const retrying = await test.waitStatus('front', (s) => s.autolock === 'retrying', 'the attempt failed');
    expect(retrying.lastFailure).toBe('the lock action timed out');
    expect(test.events.filter((e) => e.type === 'autolock.fired')).toEqual([]);

    await broker.restart();
    await until(() => test.bridge.connected && player.client.connected, 'bridge and player reconnect');
    await player.client.subscribeAsync('#', { qos: 1 });
    expect(test.events.filter((e) => e.type === 'autolock.fired')).toEqual([]);

    const mark = player.messages.length;
    await test.clock.advance(30_000); // the retry's delay
    const command = await test.waitMessage(player, (m) => m.topic === `${test.z2m('Front Lock')}/set`, mark);
    expect(JSON.parse(command.payload)).toEqual({ state: 'LOCK' });
    await test.waitStatus('front', (s) => s.autolock === 'confirming' && s.attempt === 2, 'attempt 2 accepted');
    await player.publish(test.z2m('Front Lock'), LOCKED);
    await test.waitStatus('front', (s) => s.autolock === 'idle', 'confirmed');
    expect(player.on(`${test.z2m('Front Lock')}/set`)).toHaveLength(1);
  });

  it('not_fully_locked is a jam: no command, the jammed notice on the notifications topic, problem ON; locked clears both', async () => {
    const test = await bridgeWith(frontDoor());
    await player.publish(test.z2m('Front Lock'), UNLOCKED);
    await test.waitStatus('front', (s) => s.autolock === 'counting-down', 'countdown');
    await player.publish(test.z2m('Front Lock'), { state: 'LOCK', lock_state: 'not_fully_locked' });
    await test.waitStatus('front', (s) => s.lockState === 'jammed', 'jammed');
    const notice = await test.waitMessage(
      player,
      (m) => m.topic === `${test.base}/notifications` && JSON.parse(m.payload).action === 'notify',
    );
    expect(JSON.parse(notice.payload)).toMatchObject({ id: 'front_door__front_autolock_jammed' });
    expect(notice.retain).toBe(false);
    await test.waitMessage(
      player,
      (m) => m.topic === `${test.base}/front/state` && JSON.parse(m.payload).problem_reason === 'jammed',
    );

    await test.clock.advance(5 * MINUTE);
    await test.waitStatus('front', (s) => s.autolock === 'jammed', 'held');
    expect(test.events.some((e) => e.type === 'autolock.held')).toBe(true);
    expect(player.on(`${test.z2m('Front Lock')}/set`)).toEqual([]);

    await player.publish(test.z2m('Front Lock'), LOCKED);
    const dismissal = await test.waitMessage(
      player,
      (m) => m.topic === `${test.base}/notifications` && JSON.parse(m.payload).action === 'dismiss',
    );
    expect(JSON.parse(dismissal.payload)).toEqual({ action: 'dismiss', id: 'front_door__front_autolock_jammed' });
    await test.waitMessage(
      player,
      (m) =>
        m.topic === `${test.base}/front/state` &&
        JSON.parse(m.payload).problem === 'OFF' &&
        JSON.parse(m.payload).lock_state === 'locked',
    );
  });

  it('malformed payloads and commands are logged (topic and reason, never the payload) and ignored; the bridge goes on', async () => {
    const test = await bridgeWith(frontDoor());
    const lockTopic = test.z2m('Front Lock');
    const bad: Array<[string, string | Buffer]> = [
      [lockTopic, 'not json'],
      [lockTopic, '[1,2]'],
      [lockTopic, '{"lock_state":"sideways","pin_code":"482913"}'],
      [lockTopic, '{"state":42,"pin_code":"482913"}'],
      [lockTopic, Buffer.from([0xff, 0xfe, 0x00])],
      [lockTopic, `{"pad":"${'x'.repeat(70_000)}"}`],
      [test.z2m('Front Contact'), '{"contact":"yes"}'],
      [`${test.base}/front/day_minutes/set`, 'abc'],
      [`${test.base}/front/night_minutes/set`, '99999'],
      [`${test.base}/front/autolock/set`, 'MAYBE'],
      [`${test.base}/front/start_autolock/set`, '-1'],
    ];
    for (const [topic, payload] of bad) {
      await player.client.publishAsync(topic, payload, { qos: 1 });
    }
    await player.publish(lockTopic, { battery: 50, linkquality: 80 }); // says nothing about the lock: no warning
    await player.publish(lockTopic, UNLOCKED);
    await test.waitStatus('front', (s) => s.autolock === 'counting-down', 'the valid unlock after the garbage');

    const warnings = test.logs.filter((line) => line.level === 'warn');
    const ignored = warnings.filter((line) => /^Ignored (malformed MQTT payload|MQTT command)$/.test(line.message));
    expect(ignored).toHaveLength(bad.length);
    expect(
      ignored
        .slice(0, 7)
        .every((line) => line.fields?.topic === lockTopic || line.fields?.topic === test.z2m('Front Contact')),
    ).toBe(true);
    expect(ignored[0]?.fields).toMatchObject({ lockId: 'front', reason: 'not JSON' });
    expect(ignored[4]?.fields).toMatchObject({ reason: 'not UTF-8 text' });
    expect(ignored[5]?.fields).toMatchObject({ reason: 'larger than 65536 bytes' });
    expect(ignored.slice(7).map((line) => line.fields?.command)).toEqual([
      'day_minutes',
      'night_minutes',
      'autolock',
      'start_autolock',
    ]);
    expect(JSON.stringify(test.logs)).not.toContain('482913');
    expect(test.status('front').autolockEnabled).toBe(true);
  });
});
