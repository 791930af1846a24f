/**
 * `npm start` twice on one file: the second run goes on the next morning, finds the autolock the
 * first left armed, overdue, and replays it; and every pair of runs on a fresh file prints the
 * same, run for run, whatever the speed of the store.
 *
 * Invariants pinned: the replay is derived from what the first run printed (its deadline, the
 * lock it left armed), not from fixed texts alone; determinism is checked over several fresh
 * files, in-process and through `npm start` itself, and on a store whose calls answer late at
 * random; output never holds a PIN.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Keyv from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDemo } from '../../demo/house.js';
import { projectRoot } from '../support/child-script.js';

const run = promisify(execFile);
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A `sqlite://` URL of a file in a fresh temporary folder. */
function freshFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'relock-demo-pair-'));
  dirs.push(dir);
  return `sqlite://${join(dir, 'demo.sqlite')}`;
}

/** The store's URL as `<store>`, so runs on different files compare. */
const anonymous = (text: string, store: string) => text.split(store).join('<store>');

/** One run in this process: its printed lines, the store's URL made `<store>`. */
async function inProcess(store: string, options: Parameters<typeof runDemo>[2] = {}): Promise<string[]> {
  const lines: string[] = [];
  expect(await runDemo(['--store', store], (line) => lines.push(anonymous(line, store)), options)).toBe(0);
  return lines;
}

/** One run of `npm start` as a child process, its lines as `inProcess` gives them. */
async function npmStart(store: string): Promise<string[]> {
  const { stdout } = await run('npm', ['start', '--silent', '--', '--store', store], { cwd: projectRoot });
  return anonymous(stdout, store).replace(/\n$/, '').split('\n');
}

interface Pair {
  readonly first: string[];
  readonly second: string[];
}

async function pairOf(runOnce: (store: string) => Promise<string[]>): Promise<Pair> {
  const store = freshFile();
  const first = await runOnce(store);
  const second = await runOnce(store);
  return { first, second };
}

/** The simulated time of a line, `HH:MM:SS`. */
const timeOf = (line: string) => /^\[(\d\d:\d\d:\d\d) UTC\]/.exec(line)?.[1];

/** The lines of the second run before its first scene: the start-up. */
function startUpOf(lines: string[]): string[] {
  const scene1 = lines.findIndex((l) => l.includes('== 1.'));
  expect(scene1).toBeGreaterThan(0);
  return lines.slice(0, scene1);
}

/** A store that keeps values in a Map and answers every call 0-`maxMs` ms late (seeded, so runs differ only by the seed). */
function lateStore(seed: number, maxMs: number): Keyv {
  const map = new Map<string, unknown>();
  let state = seed;
  const delay = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return Math.floor((state / 2_147_483_648) * (maxMs + 1));
  };
  const late = <T>(answer: () => T) => new Promise<T>((resolve) => setTimeout(() => resolve(answer()), delay()));
  const adapter = {
    get: (key: string) => late(() => map.get(key)),
    set: (key: string, value: unknown) =>
      late(() => {
        map.set(key, value);
        return true;
      }),
    delete: (key: string) => late(() => map.delete(key)),
    clear: () => late(() => map.clear()),
    has: (key: string) => late(() => map.has(key)),
    on: () => adapter,
  };
  return new Keyv({ store: adapter as unknown as Map<string, unknown> });
}

describe('npm start twice on one file', () => {
  const PAIRS = 4;
  let pairs: Pair[];
  beforeAll(async () => {
    pairs = [];
    for (let i = 0; i < PAIRS; i++) pairs.push(await pairOf((store) => inProcess(store)));
  }, 120_000);

  it('the second run finds the autolock the first left armed, overdue, and replays it at start-up with one command', () => {
    const { first, second } = pairs[0];
    // what the first run left: the lock and its deadline, as it says when it stops
    const left = first.find((l) => l.includes('relock stopped while an autolock was counting down:'));
    const [, lock, due] = /counting down: (.+), due (\d\d:\d\d:\d\d)\.$/.exec(left ?? '') ?? [];
    expect(lock).toBeDefined();
    const stoppedAt = timeOf(left ?? '');
    expect(stoppedAt !== undefined && stoppedAt < due).toBe(true); // still armed when it stopped
    expect(first.at(-1)).toContain('Run the demo again on that file');

    const startUp = startUpOf(second);
    expect(startUp[1]).toContain(`<store> holds what an earlier run left: it stopped on 1 June at ${stoppedAt}.`);
    const start = timeOf(startUp[0]);
    const recovered = startUp.filter((l) => l.includes(`${lock}: found in the store:`));
    expect(recovered).toHaveLength(1);
    expect(recovered[0]).toContain(`an autolock due 1 June ${due},`);
    expect(recovered[0]).toContain('relock kept it across the restart and replays it now');
    expect(timeOf(recovered[0])).toBe(start);
    // the replay fires: one command, at start-up, confirmed by the lock
    const commands = startUp.filter((l) => l.includes('lock command ->'));
    expect(commands).toEqual([`[${start} UTC]   lock command -> ${lock}: accepted`]);
    expect(startUp.some((l) => l.endsWith(`${lock} reported locked: autolock done (attempt 1)`))).toBe(true);
    // nothing else was armed: no other lock is named as found
    expect(startUp.filter((l) => l.includes('found in the store'))).toEqual(recovered);
  });

  it('the first run on a fresh file says it is a first run, and replays nothing at start-up', () => {
    const startUp = startUpOf(pairs[0].first);
    expect(startUp[1]).toContain('<store> holds nothing from an earlier run: this is a first run.');
    expect(startUp.join('\n')).not.toMatch(/found in the store|lock command/);
  });

  it(`prints the same run for run over ${PAIRS} fresh files: every first run alike, every second run alike`, () => {
    for (const pair of pairs.slice(1)) {
      expect(pair.first).toEqual(pairs[0].first);
      expect(pair.second).toEqual(pairs[0].second);
    }
    expect(pairs[0].second).not.toEqual(pairs[0].first);
  });

  it('npm start itself prints what the runs in this process print', async () => {
    const pair = await pairOf(npmStart);
    expect(pair.first).toEqual(pairs[0].first);
    expect(pair.second).toEqual(pairs[0].second);
  }, 60_000);

  it('a store that answers late, at random, changes nothing that is printed', async () => {
    for (const seed of [1, 2, 3]) {
      const store = lateStore(seed, 4);
      // the URL only names the store here: every call goes to the late one
      const late = await pairOf((url) => inProcess(url, { openStore: async () => store }));
      expect(late.first).toEqual(pairs[0].first);
      expect(late.second).toEqual(pairs[0].second);
    }
  }, 120_000);

  it("the README's sample of the second run's start is what it prints", () => {
    const readme = readFileSync(join(projectRoot, 'README.md'), 'utf8');
    const section = readme.slice(
      readme.indexOf('## See it run'),
      readme.indexOf('\n## ', readme.indexOf('## See it run') + 1),
    );
    const sample = /```text\n([\s\S]*?)\n```/.exec(section)?.[1].split('\n');
    expect(sample).toBeDefined();
    const printed = startUpOf(pairs[0].second)
      .filter((l) => l !== '')
      .map((l) => l.split('<store>').join('sqlite://data/relock-demo.sqlite'));
    expect(sample).toEqual(printed);
  });

  it('shows no PIN and logs no error in either run', () => {
    const text = [...pairs[0].first, ...pairs[0].second].join('\n');
    expect(text).not.toContain('271828');
    expect(text).not.toMatch(/relock logs at ERROR|store error/);
  });
});
