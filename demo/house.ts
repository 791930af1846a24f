/**
 * `npm start`: a simulated house of locks, autolocking on the embedded default store.
 *
 * A front door with a door sensor, a back door and a garage, on an @keyv/sqlite file under
 * ./data, in compressed (simulated) time. The scenes:
 * 1. the front door closes and is locked 30 seconds later (the after-close mode), where its
 *    10-minute countdown alone would have waited far longer;
 * 2. the front door is left open past its countdown: it is not locked while open, and is locked
 *    30 seconds after it closes;
 * 3. a lock command to the back door is lost on the radio: the notice says which attempt failed
 *    and when the next one is due, and the retry 30 seconds later is confirmed by the lock;
 * 4. the garage jams while locking: relock says so, sends it no command while it is jammed, and
 *    counts down again once someone frees it;
 * 5. the garage controller drops off the network: every attempt fails, the autolock is kept, and
 *    a restart of relock locks it;
 * 6. a night-time autolock, and one left armed when relock stops, for the next run to recover.
 * The simulated host behaves as a real one does: a lock that takes a command reports `locked`
 * two seconds later, which is what confirms the command.
 *
 * Invariants:
 * - a run on a file leaves under its own key when it stopped and the next morning; the next run
 *   on that file goes on from that morning (relock down all night), so the autolock the last
 *   scene left armed is overdue at start-up and is replayed: found in the store, one command;
 * - the output depends on nothing but the store's contents: time is simulated (ManualClock), and
 *   between timers it waits until relock asks the store nothing more (`quiet.ts`), so file I/O
 *   speed never shows; a first run on a fresh file prints the same every time, and so does the
 *   run after it;
 * - no PIN is printed.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import type Keyv from 'keyv';
import {
  createKeyvStore,
  createRelock,
  type LockConfigInput,
  ManualClock,
  type Relock,
  type RelockEvent,
} from '../src/index.js';
import { type DemoInspector, InspectorUnavailableError, skyInspector, webSocketInspector } from './inspector.js';
import { countStoreCalls, untilQuiet } from './quiet.js';

export const HELP = `relock demo: a simulated house of locks that autolock, in compressed time.

Usage: npm start -- [options]

  --store <url>        keyv store: sqlite://<file> (default sqlite://data/relock-demo.sqlite) or memory
  --memory             use an in-memory store (nothing is kept between runs)
  --inspect            stream the whole actor system to the Stately inspector (https://stately.ai;
                       needs the internet, fails with a clear message without it)
  --inspect-url <url>  stream to a WebSocket inspector relay instead, e.g. ws://127.0.0.1:8080
  --help               show this help

Run it twice on the same file: the second run goes on the next morning and replays the
autolock the first left armed (it is overdue by then).`;

const HOUSE: LockConfigInput[] = [
  {
    id: 'front',
    name: 'Front door',
    hasDoorSensor: true,
    autolock: {
      enabled: true,
      dayMinutes: 10,
      nightMinutes: 2,
      doorMode: 'after-close',
      afterCloseSeconds: 30,
      doorOpenNoticeMinutes: 5,
    },
    codeSlots: [{ number: 1, name: 'Family', pin: '271828' }],
  },
  { id: 'back', name: 'Back door', autolock: { enabled: true, dayMinutes: 5, nightMinutes: 2 } },
  { id: 'garage', name: 'Garage', autolock: { enabled: true, dayMinutes: 3, nightMinutes: 3, maxAttempts: 3 } },
];
const NAME = new Map(HOUSE.map((lock) => [lock.id, lock.name]));
const SECOND = 1_000;
const MINUTE = 60_000;
/** How long the simulated lock takes to report `locked` (or `jammed`) after it takes a command. */
const BOLT_MS = 2 * SECOND;
/**
 * The demo's own store key: where a run on a file leaves when it stopped and the morning the next
 * run starts (`{ stoppedAt, morning }`; an earlier demo left the morning alone, as a number).
 */
const LAST_RUN_KEY = 'demo:next-morning';
/** The first run starts at 07:00 UTC (09:00 in Amsterdam) on 1 June 2026. */
const FIRST_MORNING = Date.UTC(2026, 5, 1, 7, 0);
/**
 * Simulated hours pass here in real milliseconds: a lease of a simulated day keeps the store
 * claim's renewal (every third of it) from timing out in simulated time while the file is still
 * answering in real time. A real host keeps the default.
 */
const DEMO_STORE_LEASE_MS = 86_400_000;
const MONTHS = 'January February March April May June July August September October November December'.split(' ');
/** `1 June`: the day of an instant, in UTC (no locale data needed). */
const dateOf = (ms: number) => `${new Date(ms).getUTCDate()} ${MONTHS[new Date(ms).getUTCMonth()]}`;
/** `9 h 25 min`, `30 s`: a length of time, to the minute above an hour, to the second below. */
function lengthOf(ms: number): string {
  const seconds = Math.round(ms / SECOND);
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600)
    return seconds % 60 === 0 ? `${seconds / 60} min` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  const minutes = Math.round(seconds / 60);
  return minutes % 60 === 0 ? `${minutes / 60} h` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** What an earlier run on the same file left under `LAST_RUN_KEY`, if anything readable. */
interface LastRun {
  readonly morning: number;
  readonly stoppedAt?: number;
}
function readLastRun(stored: unknown): LastRun | undefined {
  if (typeof stored === 'number') return Number.isFinite(stored) ? { morning: stored } : undefined;
  if (typeof stored !== 'object' || stored === null) return undefined;
  const { morning, stoppedAt } = stored as Record<string, unknown>;
  if (typeof morning !== 'number' || !Number.isFinite(morning)) return undefined;
  return typeof stoppedAt === 'number' && Number.isFinite(stoppedAt) && stoppedAt < morning
    ? { morning, stoppedAt }
    : { morning };
}

export interface DemoOptions {
  /** Opens the store named by `--store` (tests pass one whose calls answer late). */
  readonly openStore?: (url: string) => Promise<Keyv>;
}

export async function runDemo(
  argv: readonly string[],
  print: (line: string) => void = console.log,
  options: DemoOptions = {},
): Promise<number> {
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

  // one store for both systems of this run (the restart finds what the first kept) and for the next run
  const keyv = await (options.openStore ?? createKeyvStore)(store);
  const storeCalls = countStoreCalls(keyv);
  const lastRun = readLastRun(await keyv.get(LAST_RUN_KEY));
  const morning = lastRun?.morning ?? FIRST_MORNING;
  const clock = new ManualClock(morning);
  const hhmmss = (ms: number) => new Date(ms).toISOString().slice(11, 19);
  const sameDay = (a: number, b: number) => Math.floor(a / 86_400_000) === Math.floor(b / 86_400_000);
  /** A time of today as HH:MM:SS, of another day with its date. */
  const when = (ms: number) => (sameDay(ms, clock.now()) ? hhmmss(ms) : `${dateOf(ms)} ${hhmmss(ms)}`);
  const span = (ms: number) => (ms % MINUTE === 0 ? `${ms / MINUTE} min` : `${Math.round(ms / SECOND)} s`);
  const say = (line: string) => print(`[${hhmmss(clock.now())} UTC] ${line}`);
  const scene = (title: string) => {
    print('');
    say(`== ${title} ==`);
  };
  const wait = (ms: number) => clock.advance(ms);
  const name = (id: string) => NAME.get(id) ?? id;

  /** What the simulated host does to the locks' controllers. */
  const host = {
    /** Locks whose controller is off the network: every command fails. */
    offline: new Set<string>(),
    /** Locks whose next command is lost on the radio (once). */
    radioGlitch: new Set<string>(),
    /** Locks whose bolt jams on the next command: the lock reports `jammed`, not `locked`. */
    jamNext: new Set<string>(),
  };
  /** Lock commands that reached each lock's driver (accepted or not), in order. */
  const commands: Array<{ lockId: string; at: number }> = [];
  const commandsTo = (lockId: string, from: number, to = clock.now()) =>
    commands.filter((c) => c.lockId === lockId && c.at >= from && c.at <= to).length;
  /** The notices showing on the household's phones, by id, with their titles. */
  const showing = new Map<string, string>();
  let relock!: Relock;
  const showStatus = (id: string) => {
    const s = relock.status(id);
    say(`  ${s.name} in the app: "${s.summary}"`);
  };

  /** Locks whose autolock cycle is open (started, not yet over): a new start moves it. */
  const cycleOpen = new Set<string>();
  const describe = (event: RelockEvent): string | undefined => {
    switch (event.type) {
      case 'autolock.started': {
        const lock = name(event.lockId);
        const moved = cycleOpen.has(event.lockId);
        cycleOpen.add(event.lockId);
        if (!event.recovered) {
          const what = moved ? 'autolock moved' : 'autolock set';
          return `${lock}: ${what}: it will be locked at ${when(event.endsAt)} (in ${span(event.durationSeconds * SECOND)})`;
        }
        if (event.stage === 'confirm') {
          return `${lock}: found in the store: a lock command awaits the lock's report until ${when(event.endsAt)}`;
        }
        const late = clock.now() - event.endsAt;
        const what = event.stage === 'retry' ? 'an autolock retry' : 'an autolock';
        return late >= 0
          ? `${lock}: found in the store: ${what} due ${when(event.endsAt)}, ${lengthOf(late)} ago. ` +
              'relock kept it across the restart and replays it now: it sends the lock command it owes.'
          : `${lock}: found in the store: ${what} due ${when(event.endsAt)}; it counts down from there.`;
      }
      case 'autolock.attempt':
        return `${name(event.lockId)}: time to lock it (attempt ${event.attempt} of ${event.attempts})`;
      case 'autolock.fired':
        if (!event.awaitingConfirmation) cycleOpen.delete(event.lockId);
        if (event.outcome === 'locked') {
          return event.awaitingConfirmation
            ? `${name(event.lockId)}: command accepted; waiting for the lock to report locked`
            : `${name(event.lockId)}: command accepted`;
        }
        if (event.outcome === 'already-locked') return `${name(event.lockId)} was already locked: nothing to do`;
        if (event.outcome === 'retry-pending') return `${name(event.lockId)}: the door is open, so no command was sent`;
        return `${name(event.lockId)}: the lock is gone`;
      case 'autolock.confirmed':
        cycleOpen.delete(event.lockId);
        return `${name(event.lockId)} reported locked: autolock done (attempt ${event.attempt})`;
      case 'autolock.failed':
        if (event.nextAttemptAt === null) cycleOpen.delete(event.lockId);
        return `${name(event.lockId)}: attempt ${event.attempt} of ${event.attempts} did not lock it (${event.reason})`;
      case 'autolock.held':
        cycleOpen.delete(event.lockId);
        return `${name(event.lockId)}: no command is sent to a jammed lock; the autolock waits`;
      case 'autolock.cancelled':
        cycleOpen.delete(event.lockId);
        return `${name(event.lockId)}: autolock cancelled`;
      case 'autolock.warning':
        return `${name(event.lockId)}: will be locked at ${when(event.endsAt)}`;
      case 'lock.jammed':
        return event.cleared ? `${name(event.lockId)}: the jam is over` : `${name(event.lockId)} is jammed`;
      case 'store.error':
        return `store error on ${event.key}: ${event.message}`;
      case 'store.lost':
        return `store lost: ${event.message}`;
      case 'lock.error':
        return `${name(event.lockId)}: error: ${event.message}`;
      case 'notifier.error':
        return `notice ${event.notificationId} could not be sent: ${event.message}`;
      case 'host.error':
        return `host ${event.source} failed: ${event.message}`;
      // said by the notices
      case 'autolock.retry-pending':
      case 'door.left-open':
      case 'store.pruned':
      case 'store.unreadable':
        return undefined;
    }
  };

  /** A line of relock's log as the host's log would get it: the message and its fields. */
  const logged = (level: string) => (message: string, fields?: Readonly<Record<string, unknown>>) =>
    say(`  relock logs at ${level}: ${message}${fields === undefined ? '' : ` ${JSON.stringify(fields)}`}`);

  const start = async (label: string) => {
    relock = await createRelock({
      store: keyv,
      clock,
      storeLeaseMs: DEMO_STORE_LEASE_MS,
      daylight: { latitude: 52.37, longitude: 4.89 },
      // what a host's log gets: relock logs each failed attempt at warn (the story says it in words too)
      logger: { debug() {}, info() {}, warn: logged('warn'), error: logged('ERROR') },
      inspect: inspector?.inspect,
      driver: {
        async lock(lock) {
          commands.push({ lockId: lock.id, at: clock.now() });
          if (host.offline.has(lock.id)) {
            say(`  lock command -> ${lock.name}: no answer (controller offline)`);
            throw new Error(`${lock.name} controller is offline`);
          }
          if (host.radioGlitch.delete(lock.id)) {
            say(`  lock command -> ${lock.name}: lost on the radio`);
            throw new Error('the radio did not answer');
          }
          say(`  lock command -> ${lock.name}: accepted`);
          // the bolt moves; the host sees where it ends up a moment later and reports it
          const ends = host.jamNext.delete(lock.id) ? 'jammed' : 'locked';
          clock.setTimeout(() => {
            say(`  the host reports: ${lock.name} is ${ends}`);
            relock.reportLockState(lock.id, ends);
          }, BOLT_MS);
        },
      },
      notifier: {
        notify: (n) => {
          showing.set(n.id, n.title);
          say(`  NOTICE "${n.title}": ${n.message}`);
        },
        dismiss: (id) => {
          const title = showing.get(id);
          if (title === undefined) return;
          showing.delete(id);
          say(`  notice withdrawn: "${title}"`);
        },
      },
    });
    relock.subscribe((event) => {
      const line = describe(event);
      if (line !== undefined) say(line);
    });
    // simulated time waits for the store between timers, as real time would: until a pass of
    // waiting asks no new store call (see quiet.ts), so file I/O never changes what is printed
    clock.settleWith(() => untilQuiet(() => relock.flush(), storeCalls));
    say(`${label}: ${HOUSE.length} locks on ${store}; autolocks kept in the store are picked up, overdue ones now.`);
    await relock.addLocks(HOUSE);
    await wait(0);
    for (const { id } of HOUSE) if (relock.status(id).autolock !== 'idle') showStatus(id);
  };

  say(`${dateOf(morning)} ${new Date(morning).getUTCFullYear()}, 09:00 in Amsterdam.`);
  if (store === 'memory') say('The store is in memory: nothing from an earlier run, nothing kept for the next.');
  else if (lastRun === undefined) say(`${store} holds nothing from an earlier run: this is a first run.`);
  else {
    say(
      `${store} holds what an earlier run left` +
        (lastRun.stoppedAt === undefined
          ? ''
          : `: it stopped on ${dateOf(lastRun.stoppedAt)} at ${hhmmss(lastRun.stoppedAt)}`) +
        '. The simulated clock goes on from there, to the next morning: relock has been down all night, ' +
        'so an autolock that run left armed is overdue now.',
    );
  }
  await start('relock started');

  await clock.advanceTo(morning + MINUTE);
  scene('1. The front door is locked 30 s after it closes');
  say('The front door locks 30 s after it closes; its 10-minute countdown covers a door that is never opened.');
  say('Someone unlocks the front door, opens it and goes out.');
  relock.reportLockState('front', 'unlocked');
  relock.reportDoorState('front', 'open');
  await wait(0);
  const countdownEnd = relock.status('front').endsAt ?? 0;
  await wait(20 * SECOND);
  say('The door closes behind them.');
  const closedAt = clock.now();
  relock.reportDoorState('front', 'closed');
  await wait(MINUTE);
  const frontLock = commands.find((c) => c.lockId === 'front' && c.at >= closedAt);
  say(
    frontLock === undefined
      ? 'The front door was not locked.'
      : `The front door was locked ${span(frontLock.at - closedAt)} after it closed, at ${when(frontLock.at)}; ` +
          `its 10-minute countdown alone would have waited until ${when(countdownEnd)}.`,
  );

  await clock.advanceTo(morning + 5 * MINUTE);
  scene('2. The front door is left open');
  say('A delivery: the front door is unlocked and propped open.');
  relock.reportLockState('front', 'unlocked');
  relock.reportDoorState('front', 'open');
  await wait(11 * MINUTE);
  showStatus('front');
  await wait(MINUTE);
  say('The door is closed again.');
  relock.reportDoorState('front', 'closed');
  await wait(MINUTE);

  await clock.advanceTo(morning + 20 * MINUTE);
  scene('3. A lock command is lost on the radio, and the retry locks');
  say('The back door is unlocked. Its next lock command will be lost on the radio.');
  host.radioGlitch.add('back');
  relock.reportLockState('back', 'unlocked');
  await wait(5 * MINUTE);
  showStatus('back');
  await wait(30 * SECOND);
  showStatus('back');

  await clock.advanceTo(morning + 30 * MINUTE);
  scene('4. The garage jams while locking');
  say('The garage is unlocked. Its bolt will catch on the strike plate at the next lock command.');
  host.jamNext.add('garage');
  relock.reportLockState('garage', 'unlocked');
  await wait(3 * MINUTE + 5 * SECOND);
  const jammedFrom = clock.now();
  showStatus('garage');
  await wait(10 * MINUTE);
  say(
    `Lock commands sent to the garage in the last ${span(clock.now() - jammedFrom)}: ${commandsTo('garage', jammedFrom)}`,
  );
  say('Someone frees the bolt by hand; the host reports the garage unlocked.');
  relock.reportLockState('garage', 'unlocked');
  await wait(0);
  showStatus('garage');
  await wait(4 * MINUTE);

  await clock.advanceTo(morning + 50 * MINUTE);
  scene('5. The garage controller is off the network; a restart locks it');
  say('The garage is unlocked; then its controller drops off the network.');
  host.offline.add('garage');
  relock.reportLockState('garage', 'unlocked');
  await wait(5 * MINUTE);
  showStatus('garage');
  say('The host restarts relock; the garage controller is back.');
  await relock.stop();
  host.offline.delete('garage');
  await start('relock restarted');
  await wait(MINUTE);

  await clock.advanceTo(morning + (14 * 60 + 30) * MINUTE); // 23:30 in Amsterdam: night
  scene('6. Night');
  say('The back door is unlocked (23:30 in Amsterdam: the night countdown is shorter).');
  relock.reportLockState('back', 'unlocked');
  await wait(3 * MINUTE);
  say('The back door is unlocked again, and relock is stopped before it is due.');
  relock.reportLockState('back', 'unlocked');
  await wait(30 * SECOND);
  showStatus('back');
  const leftArmed = HOUSE.flatMap(({ id }) => {
    const { endsAt, autolock } = relock.status(id);
    return autolock === 'counting-down' && endsAt !== null ? [{ id, endsAt }] : [];
  });
  await relock.stop();
  const stoppedAt = clock.now();
  // the next morning, kept in summer (a day-time morning and a night-time evening in Amsterdam)
  const tomorrow = new Date(morning + 24 * 60 * MINUTE);
  const next = tomorrow.getUTCMonth() <= 7 ? tomorrow.getTime() : Date.UTC(tomorrow.getUTCFullYear() + 1, 5, 1, 7, 0);
  const armed = leftArmed.map(({ id, endsAt }) => `${name(id)}, due ${when(endsAt)}`).join('; ');
  say(leftArmed.length === 0 ? 'relock stopped.' : `relock stopped while an autolock was counting down: ${armed}.`);
  if (store === 'memory') say('Nothing is kept in memory: run it on a file to see the next run recover what is left.');
  else {
    await keyv.set(LAST_RUN_KEY, { morning: next, stoppedAt });
    say(
      `What is left stays in ${store}. Run the demo again on that file: the next run goes on the next morning, ` +
        `${dateOf(next)} ${new Date(next).getUTCFullYear()}, when it is overdue, and relock locks it at start-up.`,
    );
  }
  await keyv.disconnect();
  inspector?.stop();
  return 0;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const code = await runDemo(process.argv.slice(2));
  // the inspector's socket keeps Node alive after stop(); the demo is over either way
  process.exit(code);
}
