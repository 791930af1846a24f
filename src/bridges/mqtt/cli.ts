#!/usr/bin/env node
/**
 * `relock-mqtt --config <file>`: runs the MQTT bridge until SIGTERM or SIGINT.
 *
 * Invariants:
 * - exit code 0 after a clean stop (relock stopped, availability `offline`, disconnected), 1 when
 *   the config or the start fails (the reason on standard error, no stack), 2 for bad arguments;
 * - a second SIGTERM/SIGINT while stopping exits at once (code 1);
 * - log lines go to standard error (`--log-level`, default `info`); no line holds a PIN or the
 *   broker password.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { RelockError } from '../../errors.js';
import { type MqttBridge, startMqttBridge } from './bridge.js';
import { loadBridgeConfig } from './config.js';
import { LOG_LEVELS, type LogLevel, lineLogger } from './line-logger.js';

export const USAGE = `Usage: relock-mqtt --config <file.yaml|file.json> [--log-level debug|info|warn|error]

Runs relock as an MQTT bridge: zigbee2mqtt (or generic) locks and door sensors in, lock
commands out, Home Assistant discovery. Stops cleanly on SIGTERM or SIGINT.
See the README, "Home Assistant over MQTT", and examples/mqtt.yaml.
`;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Resolves with the signal's name when the bridge should stop. */
  readonly stopSignal: () => Promise<string>;
  /** Called when a second stop signal comes while stopping. */
  readonly forceExit: (code: number) => void;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stopSignal: () =>
    new Promise((resolve) => {
      const onSignal = (signal: NodeJS.Signals): void => {
        process.removeListener('SIGTERM', onSignal);
        process.removeListener('SIGINT', onSignal);
        resolve(signal);
      };
      process.once('SIGTERM', onSignal);
      process.once('SIGINT', onSignal);
    }),
  forceExit: (code) => process.exit(code),
};

interface Args {
  readonly config: string;
  readonly logLevel: LogLevel;
}

function parseArgs(argv: readonly string[]): Args | 'help' | { error: string } {
  let config: string | undefined;
  let logLevel: LogLevel = 'info';
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const [flag, inline] = arg.startsWith('--') && arg.includes('=') ? arg.split(/=(.*)/s) : [arg, undefined];
    if (flag === '--help' || flag === '-h') return 'help';
    if (flag !== '--config' && flag !== '--log-level') return { error: `unknown argument ${JSON.stringify(arg)}` };
    const value = inline ?? argv[++i];
    if (value === undefined || value === '') return { error: `${flag} needs a value` };
    if (flag === '--config') config = value;
    else if ((LOG_LEVELS as readonly string[]).includes(value)) logLevel = value as LogLevel;
    else return { error: `--log-level must be one of ${LOG_LEVELS.join(', ')}` };
  }
  if (config === undefined) return { error: '--config <file> is required' };
  return { config, logLevel };
}

function reasonOf(error: unknown): string {
  if (error instanceof RelockError) return error.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Runs the bin; resolves with its exit code. */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const args = parseArgs(argv);
  if (args === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  if ('error' in args) {
    io.stderr(`relock-mqtt: ${args.error}\n\n${USAGE}`);
    return 2;
  }
  const logger = lineLogger(args.logLevel, io.stderr);
  let bridge: MqttBridge;
  try {
    bridge = await startMqttBridge({ config: loadBridgeConfig(args.config), logger });
  } catch (error) {
    io.stderr(`relock-mqtt: ${reasonOf(error)}\n`);
    return 1;
  }
  const signal = await io.stopSignal();
  logger.info('Stopping', { signal });
  io.stopSignal().then(() => io.forceExit(1));
  await bridge.stop();
  return 0;
}

function isEntry(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  try {
    return import.meta.url === pathToFileURL(realpathSync(entry)).href;
  } catch {
    return false;
  }
}

if (isEntry()) {
  runCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
