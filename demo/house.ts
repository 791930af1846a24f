/**
 * `npm start`: a simulated house of locks, autolocking on the embedded default store.
 *
 * A front door with a door sensor, a back door and a garage, on an @keyv/sqlite file under
 * ./data, in compressed (simulated) time: an unlock and its day-time autolock, a door left open
 * and the retry when it closes, a driver failure and its notification, a restart that replays the
 * kept entry, a night-time autolock, and an autolock left armed for the next run to recover.
 * It ends by itself; run it again on the same file to see the recovery.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import {
  createKeyvStore,
  createRelock,
  type LockConfigInput,
  ManualClock,
  type Relock,
  type RelockEvent,
} from '../src/index.js';
import { type DemoInspector, InspectorUnavailableError, skyInspector, webSocketInspector } from './inspector.js';

export const HELP = `relock demo: a simulated house of locks that autolock, in compressed time.

Usage: npm start -- [options]

  --store <url>        keyv store: sqlite://<file> (default sqlite://data/relock-demo.sqlite) or memory
  --memory             use an in-memory store (nothing is kept between runs)
  --inspect            stream the whole actor system to the Stately inspector (https://stately.ai;
                       needs the internet, fails with a clear message without it)
  --inspect-url <url>  stream to a WebSocket inspector relay instead, e.g. ws://127.0.0.1:8080
  --help               show this help

Run it twice on the same file: the second run recovers what the first left armed.`;

const HOUSE: LockConfigInput[] = [
  {
    id: 'front',
    name: 'Front door',
    hasDoorSensor: true,
    autolock: { enabled: true, dayMinutes: 5, nightMinutes: 1, retryWhenDoorCloses: true },
    codeSlots: [{ number: 1, name: 'Family', pin: '271828' }],
  },
  { id: 'back', name: 'Back door', autolock: { enabled: true, dayMinutes: 10, nightMinutes: 2 } },
  { id: 'garage', name: 'Garage', autolock: { enabled: true, dayMinutes: 3, nightMinutes: 3 } },
];
const MINUTE = 60_000;

export async function runDemo(argv: readonly string[], print: (line: string) => void = console.log): Promise<number> {
  let args: ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];
  const OPTIONS = {
    store: { type: 'string' },
    memory: { type: 'boolean' },
    inspect: { type: 'boolean' },
    'inspect-url': { type: 'string' },
    help: { type: 'boolean' },
  } as const;
  try {
    args = parseArgs({ args: [...argv], options: OPTIONS, strict: true }).values;
  } catch (error) {
    print(`${(error as Error).message}\n\n${HELP}`);
    return 2;
  }
  if (args.help) {
    print(HELP);
    return 0;
  }
  const store = args.memory ? 'memory' : (args.store ?? 'sqlite://data/relock-demo.sqlite');
  if (store.startsWith('sqlite://')) mkdirSync(dirname(store.slice('sqlite://'.length)), { recursive: true });
  else if (store !== 'memory') {
    print(
      `--store takes sqlite://<file> or memory here; for Redis or PostgreSQL pass a Keyv with its adapter in code.`,
    );
    return 2;
  }

  let inspector: DemoInspector | undefined;
  try {
    if (args['inspect-url']) inspector = await webSocketInspector(args['inspect-url']);
    else if (args.inspect) inspector = await skyInspector();
  } catch (error) {
    if (error instanceof InspectorUnavailableError) {
      print(error.message);
      return 1;
    }
    throw error;
  }

  const clock = new ManualClock(Date.UTC(2026, 5, 1, 7, 0)); // 09:00 in Amsterdam, 1 June
  const at = () => new Date(clock.now()).toISOString().slice(11, 19);
  const say = (line: string) => print(`[${at()} UTC] ${line}`);
  const offline = new Set<string>();
  let relock!: Relock;
  // one store for both runs of relock, so the restart finds what the first one kept
  const keyv = await createKeyvStore(store);

  const start = async (label: string) => {
    relock = await createRelock({
      store: keyv,
      clock,
      daylight: { latitude: 52.37, longitude: 4.89 },
      logger: { debug() {}, info() {}, warn: (m) => say(`warning: ${m}`), error: (m) => say(`error: ${m}`) },
      inspect: inspector?.inspect,
      driver: {
        async lock(lock) {
          if (offline.has(lock.id)) throw new Error(`${lock.name} controller is offline`);
          say(`driver: locking ${lock.name}`);
          // the host sees the bolt go home a moment later and reports it
          clock.setTimeout(() => relock.reportLockState(lock.id, 'locked'), 2_000);
        },
      },
      notifier: {
        notify: (n) => say(`notify ${n.id}: ${n.message}`),
        dismiss: () => {},
      },
    });
    relock.subscribe((event: RelockEvent) => {
      if (event.type === 'autolock.started') {
        const minutes = Math.round(event.durationSeconds / 60);
        say(
          `${event.lockId}: autolock armed for ${minutes} min, due ${new Date(event.endsAt).toISOString().slice(11, 19)}`,
        );
      } else if (event.type === 'autolock.fired') say(`${event.lockId}: autolock fired (${event.outcome})`);
      else if (event.type === 'autolock.failed') say(`${event.lockId}: autolock FAILED: ${event.reason}`);
      else if (event.type === 'autolock.cancelled') say(`${event.lockId}: autolock cancelled`);
      else if (event.type === 'store.error') say(`store error on ${event.key}: ${event.message}`);
    });
    // simulated time waits for the store between timers, as real time would
    clock.settleWith(() => relock.flush());
    say(`${label}: ${HOUSE.length} locks on ${store}; stored autolocks are recovered, overdue ones fire now`);
    await relock.addLocks(HOUSE);
    await relock.flush();
    for (const { id, name } of HOUSE) {
      const s = relock.status(id);
      if (s.running)
        say(
          `  armed after start-up: ${name} is ${s.lockState}, autolock due ${new Date(s.endsAt ?? 0).toISOString().slice(11, 19)}`,
        );
    }
  };
  const wait = (ms: number) => clock.advance(ms);

  await start('relock started');
  say('Someone unlocks the front door and leaves it open.');
  relock.reportLockState('front', 'unlocked');
  relock.reportDoorState('front', 'open');
  await wait(6 * MINUTE);
  say('The front door closes.');
  relock.reportDoorState('front', 'closed');
  await wait(MINUTE);

  say('The garage is unlocked; its controller drops off the network.');
  offline.add('garage');
  relock.reportLockState('garage', 'unlocked');
  await wait(4 * MINUTE);
  say(
    `garage status: ${relock.status('garage').timerState}, running: ${relock.status('garage').running} (entry kept for replay)`,
  );

  say('The host restarts relock; the garage controller is back.');
  await relock.stop();
  offline.delete('garage');
  await start('relock restarted');
  await wait(MINUTE);

  await clock.advanceTo(Date.UTC(2026, 5, 1, 21, 30)); // 23:30 in Amsterdam: night
  say('Night. The back door is unlocked.');
  relock.reportLockState('back', 'unlocked');
  await wait(3 * MINUTE);
  say('The back door is unlocked again and relock stops before it is due.');
  relock.reportLockState('back', 'unlocked');
  await wait(30_000);
  const back = relock.status('back');
  say(
    `back door: autolock ${back.timerState}, due ${back.endsAt === null ? '-' : new Date(back.endsAt).toISOString().slice(11, 19)}; run the demo again to see it recovered`,
  );
  await relock.stop();
  await keyv.disconnect();
  inspector?.stop();
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const code = await runDemo(process.argv.slice(2));
  // the inspector's socket keeps Node alive after stop(); the demo is over either way
  process.exit(code);
}
