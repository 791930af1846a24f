/**
 * The bin `relock-mqtt` as a real process on a SQLite file and a real broker, on the real clock:
 * a bridge killed with SIGKILL mid-countdown leaves its autolock in the file, and the next
 * bridge replays it (one lock command in all); SIGTERM stops it cleanly (exit 0, availability
 * `offline`). Countdowns are a few seconds; every wait is bounded only to catch a hang.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { projectRoot } from '../../support/child-script.js';
import { describeWithMosquitto, type Mosquitto, startMosquitto } from './mosquitto.js';
import { type Player, startPlayer, until } from './player.js';

const BIN = join(projectRoot, 'bin/relock-mqtt.js');
/** Only catches a hang (a bridge starts in about a second, through tsx). */
const LIMIT_MS = 30_000;

let broker: Mosquitto;
let player: Player;
let dir: string;
const children: ChildProcess[] = [];

interface Bridge {
  readonly child: ChildProcess;
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function runBin(configFile: string): Bridge {
  const child = spawn(process.execPath, [BIN, '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdout?.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, stderr: () => stderr, exited };
}

describeWithMosquitto('relock-mqtt as a process', () => {
  beforeAll(async () => {
    broker = await startMosquitto();
    player = await startPlayer(broker.url);
    dir = mkdtempSync(join(tmpdir(), 'relock-mqtt-bin-'));
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await player?.end();
    await broker?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('SIGKILL mid-countdown: the next bridge on the same file replays the autolock (one command); SIGTERM exits 0 and leaves availability offline', async () => {
    const base = `kid${process.pid}`;
    const lockTopic = `z2m-${base}/Front Lock`;
    const configFile = join(dir, 'bridge.yaml');
    writeFileSync(
      configFile,
      [
        `mqtt: { url: "${broker.url}", baseTopic: ${base}, reconnectMinSeconds: 0.2 }`,
        'store: sqlite://relock.sqlite',
        `homeAssistant: { discoveryPrefix: ha-${base} }`,
        'locks:',
        '  - id: front',
        '    name: Front Door',
        `    zigbee2mqtt: { lock: "${lockTopic}" }`,
        '    autolock: { enabled: true, dayMinutes: 1, nightMinutes: 1 }',
        '',
      ].join('\n'),
    );
    const online = (from: number) =>
      player.waitFor((m) => m.topic === `${base}/status` && m.payload === 'online', { from, limitMs: LIMIT_MS });

    const first = runBin(configFile);
    await online(0);
    await player.publish(`${base}/front/start_autolock/set`, '5');
    // the start is acknowledged once its entry is in the file
    await until(() => first.stderr().includes('MQTT command: start autolock (5 s)'), 'the start is durable', LIMIT_MS);
    const mark = player.messages.length;
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    // the broker publishes the last-will: the bridge is offline
    await player.waitFor((m) => m.topic === `${base}/status` && m.payload === 'offline', {
      from: mark,
      limitMs: LIMIT_MS,
    });
    expect(player.on(`${lockTopic}/set`)).toEqual([]);

    const second = runBin(configFile);
    await online(mark);
    const command = await player.waitFor((m) => m.topic === `${lockTopic}/set`, { limitMs: LIMIT_MS });
    expect(JSON.parse(command.payload)).toEqual({ state: 'LOCK' });
    await player.publish(lockTopic, { state: 'LOCK', lock_state: 'locked' });
    await player.waitFor(
      (m) => {
        if (m.topic !== `${base}/front/state`) return false;
        const state = JSON.parse(m.payload);
        return state.lock_state === 'locked' && state.phase === 'idle';
      },
      { limitMs: LIMIT_MS },
    );
    expect(player.on(`${lockTopic}/set`)).toHaveLength(1);

    const stopMark = player.messages.length;
    second.child.kill('SIGTERM');
    expect(await second.exited).toEqual({ code: 0, signal: null });
    expect(second.stderr()).toContain('relock MQTT bridge stopped');
    await player.waitFor((m) => m.topic === `${base}/status` && m.payload === 'offline', {
      from: stopMark,
      limitMs: LIMIT_MS,
    });
    expect(second.stderr()).not.toMatch(/\berror\b/);
  }, 120_000);
});
