/**
 * `runCli`, in process: arguments, exit codes, and a run that starts the bridge and stops it
 * cleanly at the stop signal (the process-level run is cli.process.test.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliIo, runCli, USAGE } from '../../../src/bridges/mqtt/cli.js';
import { lineLogger } from '../../../src/bridges/mqtt/line-logger.js';
import { describeWithMosquitto, type Mosquitto, startMosquitto } from './mosquitto.js';
import { startPlayer } from './player.js';

const dir = mkdtempSync(join(tmpdir(), 'relock-mqtt-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function io(stop: Promise<string> = new Promise(() => {})) {
  const out: string[] = [];
  const err: string[] = [];
  let forced: number | undefined;
  const value: CliIo = {
    stdout: (text) => out.push(text),
    stderr: (text) => err.push(text),
    stopSignal: () => stop,
    forceExit: (code) => {
      forced = code;
    },
  };
  return { value, out, err, forced: () => forced };
}

describe('relock-mqtt arguments', () => {
  it('--help prints the usage and exits 0', async () => {
    const cli = io();
    expect(await runCli(['--help'], cli.value)).toBe(0);
    expect(cli.out.join('')).toBe(USAGE);
  });

  it.each([
    [[], '--config <file> is required'],
    [['--config'], '--config needs a value'],
    [['--verbose'], 'unknown argument "--verbose"'],
    [['--config', 'x.yaml', '--log-level', 'loud'], '--log-level must be one of debug, info, warn, error'],
  ])('%j exits 2: %s', async (argv, message) => {
    const cli = io();
    expect(await runCli(argv, cli.value)).toBe(2);
    expect(cli.err.join('')).toContain(`relock-mqtt: ${message}`);
  });

  it('an invalid config exits 1 naming the field, without a stack', async () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'locks:\n  - id: front\n    zigbee2mqtt: { lock: "z/#" }\n');
    const cli = io();
    expect(await runCli([`--config=${file}`], cli.value)).toBe(1);
    expect(cli.err.join('')).toBe(
      'relock-mqtt: Invalid locks[0].zigbee2mqtt.lock: "z/#" (expected an MQTT topic without wildcards (+, #))\n',
    );
  });
});

describe('the line logger', () => {
  it('writes one line per message from the minimum level on, fields as JSON', () => {
    const lines: string[] = [];
    const logger = lineLogger('info', (line) => lines.push(line));
    logger.debug('hidden');
    logger.info('shown', { lockId: 'front' });
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    logger.warn('odd', cyclic);
    logger.error('plain');
    expect(lines.map((line) => line.replace(/^\S+ /, ''))).toEqual([
      'info shown {"lockId":"front"}\n',
      'warn odd [fields not serializable]\n',
      'error plain\n',
    ]);
  });
});

describeWithMosquitto('relock-mqtt run', () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(async () => {
    await broker?.stop();
  });

  it('starts the bridge, and at the stop signal stops it (availability offline) and exits 0; a second signal forces exit 1', async () => {
    const file = join(dir, 'ok.yaml');
    writeFileSync(
      file,
      `mqtt: { url: "${broker.url}", baseTopic: clitest }\nlocks:\n  - id: front\n    zigbee2mqtt: { lock: "z/front" }\n`,
    );
    const player = await startPlayer(broker.url, 'clitest/status');
    try {
      let stop: (signal: string) => void = () => {};
      const signals: Promise<string>[] = [new Promise((resolve) => (stop = resolve))];
      const cli = io();
      const value: CliIo = { ...cli.value, stopSignal: () => signals.shift() ?? new Promise(() => {}) };
      const run = runCli(['--config', file, '--log-level', 'debug'], value);
      await player.waitFor((m) => m.payload === 'online');
      stop('SIGTERM');
      expect(await run).toBe(0);
      expect(cli.err.join('')).toMatch(/info Stopping \{"signal":"SIGTERM"\}/);
      await player.waitFor((m) => m.payload === 'offline');
    } finally {
      await player.end();
    }
  });

  it('a second stop signal while stopping forces the exit', async () => {
    const file = join(dir, 'ok2.yaml');
    writeFileSync(
      file,
      `mqtt: { url: "${broker.url}", baseTopic: clitest2 }\nlocks:\n  - id: front\n    zigbee2mqtt: { lock: "z/front2" }\n`,
    );
    const player = await startPlayer(broker.url, 'clitest2/status');
    try {
      const cli = io(Promise.resolve('SIGINT'));
      const run = runCli(['--config', file], cli.value);
      expect(await run).toBe(0);
      expect(cli.forced()).toBe(1); // the same (already resolved) signal stands for the second one
    } finally {
      await player.end();
    }
  });
});
