import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { HELP, runDemo } from '../../demo/house.js';

const closed: Array<() => void> = [];
afterAll(() => {
  for (const close of closed) close();
});

/** One printed line: its simulated time (seconds since midnight UTC) and its words. */
interface Line {
  readonly time: number;
  readonly text: string;
}

async function demo(argv: string[]): Promise<Line[]> {
  const lines: Line[] = [];
  expect(
    await runDemo(argv, (line) => {
      if (line === '') return;
      const match = /^\[(\d\d):(\d\d):(\d\d) UTC\] {1,3}(.*)$/.exec(line);
      if (match === null) throw new Error(`a demo line without its time: ${JSON.stringify(line)}`);
      const [, h, m, s, text] = match;
      lines.push({ time: Number(h) * 3600 + Number(m) * 60 + Number(s), text });
    }),
  ).toBe(0);
  return lines;
}

function clockTime(time: number): string {
  return new Date(time * 1000).toISOString().slice(11, 19);
}

/** The lines of scene `n`, from its title to the next scene's. */
function sceneOf(lines: Line[], n: number): Line[] {
  const from = lines.findIndex((l) => l.text.startsWith(`== ${n}.`));
  expect(from).toBeGreaterThanOrEqual(0);
  const to = lines.findIndex((l, i) => i > from && l.text.startsWith('== '));
  return lines.slice(from, to < 0 ? undefined : to);
}

/** The first line that contains `part` (it must exist). */
function at(lines: Line[], part: string): Line {
  const line = lines.find((l) => l.text.includes(part));
  if (line === undefined) throw new Error(`no line contains ${JSON.stringify(part)}`);
  return line;
}

/** The first line after `mark` that contains `part`. */
function firstAfter(lines: Line[], mark: Line, part: string): Line {
  return at(lines.slice(lines.indexOf(mark) + 1), part);
}

/** The lock commands that reached a lock's driver, as the demo prints them. */
function commandsTo(lines: Line[], lock: string): Line[] {
  return lines.filter((l) => l.text.startsWith(`lock command -> ${lock}:`));
}

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

describe('npm start (the demo)', () => {
  it('--help explains the flags', async () => {
    const lines: string[] = [];
    expect(await runDemo(['--help'], (line) => lines.push(line))).toBe(0);
    expect(lines.join('\n')).toBe(HELP);
    expect(HELP).toMatch(/--store <url>[\s\S]*--memory[\s\S]*--inspect[\s\S]*--inspect-url/);
  });

  describe('the story (one run in memory)', () => {
    let run: Line[];
    beforeAll(async () => {
      run = await demo(['--memory']);
    });

    it('after-close: the front door is locked 30 s after it closes, not at the end of its 10-minute countdown', () => {
      const scene = sceneOf(run, 1);
      expect(scene.find((l) => l.text.includes('Front door: autolock set'))?.text).toContain('(in 10 min)');
      const closed = at(scene, 'The door closes behind them.');
      expect(at(scene, 'Front door: autolock moved').time).toBe(closed.time);
      const commands = commandsTo(scene, 'Front door');
      expect(commands.map((l) => l.time - closed.time)).toEqual([30]);
      expect(commands[0].text).toContain('accepted');
      expect(at(scene, 'Front door reported locked').time).toBe(closed.time + 32);
    });

    it('a door left open is not locked while open, and is locked 30 s after it closes', () => {
      const scene = sceneOf(run, 2);
      const notices = scene.filter((l) => l.text.includes('NOTICE'));
      expect(notices.map((l) => l.text)).toEqual([
        expect.stringContaining('has been open for 5 minutes'),
        expect.stringContaining('The door is open, so Front door was not locked'),
        expect.stringContaining('Front door will be locked in 30 seconds'),
      ]);
      expect(at(scene, 'in the app').text).toContain('The door is open: the lock will be locked when it closes.');
      const closed = at(scene, 'The door is closed again.');
      expect(commandsTo(scene, 'Front door').map((l) => l.time - closed.time)).toEqual([30]);
      expect(at(scene, 'Front door reported locked').time).toBe(closed.time + 32);
    });

    it('a command lost on the radio: the notice names attempt 1 of 5 and the retry time, and the retry is confirmed', () => {
      const scene = sceneOf(run, 3);
      const commands = commandsTo(scene, 'Back door');
      expect(commands.map((l) => l.text)).toEqual([
        expect.stringContaining('lost on the radio'),
        expect.stringContaining('accepted'),
      ]);
      expect(commands[1].time - commands[0].time).toBe(30);
      const notice = at(scene, 'NOTICE "Back door: autolock failed"');
      expect(notice.time).toBe(commands[0].time);
      expect(notice.text).toMatch(/attempt 1 of 5\): the radio did not answer\. Trying again at (\d\d:\d\d:\d\d) UTC/);
      expect(notice.text).toContain(`Trying again at ${clockTime(commands[1].time)} UTC`);
      expect(at(scene, 'Back door: time to lock it (attempt 2 of 5)').time).toBe(commands[1].time);
      expect(scene.some((l) => l.text.includes('"The lock did not lock (attempt 1 of 5)'))).toBe(true);
      const confirmed = at(scene, 'Back door reported locked');
      expect(confirmed.text).toContain('(attempt 2)');
      expect(confirmed.time).toBe(commands[1].time + 2);
      expect(at(scene, 'notice withdrawn: "Back door: autolock failed"').time).toBe(confirmed.time);
    });

    it('a jam: the jammed notice and status, no command while jammed, and a new countdown once freed', () => {
      const scene = sceneOf(run, 4);
      const jammed = at(scene, 'NOTICE "Garage: jammed"');
      expect(at(scene, 'the host reports: Garage is jammed').time).toBe(jammed.time);
      expect(at(scene, 'Garage: no command is sent to a jammed lock').time).toBe(jammed.time);
      expect(at(scene, 'Garage in the app').text).toContain('The lock is jammed: no lock command is sent');
      const freed = at(scene, 'Someone frees the bolt by hand');
      expect(freed.time - jammed.time).toBeGreaterThanOrEqual(10 * 60);
      expect(commandsTo(scene, 'Garage').filter((l) => l.time >= jammed.time && l.time <= freed.time)).toEqual([]);
      expect(at(scene, 'Lock commands sent to the garage').text).toMatch(/: 0$/);
      expect(at(scene, 'notice withdrawn: "Garage: jammed"').time).toBe(freed.time);
      expect(at(scene, 'Garage: the jam is over').time).toBe(freed.time);
      expect(firstAfter(scene, freed, 'Garage: autolock set').text).toContain('(in 3 min)');
      const next = commandsTo(scene, 'Garage').filter((l) => l.time > freed.time);
      expect(next.map((l) => [l.time - freed.time, l.text])).toEqual([[180, expect.stringContaining('accepted')]]);
      expect(firstAfter(scene, freed, 'Garage reported locked').time).toBe(next[0].time + 2);
    });

    it('an offline controller: every attempt fails, the autolock is kept, and the restart locks it', () => {
      const scene = sceneOf(run, 5);
      const restarted = at(scene, 'relock restarted');
      const failed = commandsTo(scene, 'Garage').filter((l) => l.time < restarted.time);
      expect(failed.map((l) => l.text)).toEqual(Array(3).fill(expect.stringContaining('controller offline')));
      expect(failed.map((l) => l.time - failed[0].time)).toEqual([0, 30, 90]);
      expect(at(scene, 'attempt 3 of 3): Garage controller is offline').text).toContain('That was the last attempt');
      expect(at(scene, 'Garage in the app').text).toContain('Could not lock after 3 attempts');
      expect(firstAfter(scene, restarted, 'Garage: found in the store').text).toContain(
        'due 07:54:30, 30 s ago. relock kept it across the restart and replays it now',
      );
      const replay = commandsTo(scene, 'Garage').filter((l) => l.time >= restarted.time);
      expect(replay.map((l) => [l.time, l.text])).toEqual([[restarted.time, expect.stringContaining('accepted')]]);
      expect(firstAfter(scene, restarted, 'Garage reported locked').time).toBe(restarted.time + 2);
    });

    it('at night the shorter countdown applies, and one is left armed when relock stops', () => {
      const scene = sceneOf(run, 6);
      const armed = scene.filter((l) => l.text.startsWith('Back door: autolock set'));
      expect(armed.map((l) => l.text)).toEqual(Array(2).fill(expect.stringContaining('(in 2 min)')));
      expect(scene.at(-3)?.text).toContain('Counting down');
    });

    it('says nothing alarming and shows no PIN: the only warnings logged are the failed attempts the story tells', () => {
      const text = run.map((l) => l.text).join('\n');
      expect(text).not.toContain('271828');
      expect(text).not.toMatch(/relock logs at ERROR|store error/);
      const warned = run.filter((l) => l.text.startsWith('relock logs at warn:'));
      const failed = run.filter((l) => / attempt \d+ of \d+ did not lock it /.test(l.text));
      expect(failed.length).toBeGreaterThan(0);
      expect(warned.map((l) => l.time)).toEqual(failed.map((l) => l.time));
    });

    it('is the same story every time (simulated time only)', async () => {
      expect(await demo(['--memory'])).toEqual(run);
    });
  });

  it('on a file, the second run starts the next morning, locks what the first left armed, then tells the same story', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'relock-demo-'));
    closed.push(() => rmSync(dir, { recursive: true, force: true }));
    const store = `sqlite://${join(dir, 'demo.sqlite')}`;
    const first = await demo(['--store', store]);
    const second = await demo(['--store', store]);
    expect(first[0].text).toBe('1 June 2026, 09:00 in Amsterdam.');
    expect(second[0].text).toBe('2 June 2026, 09:00 in Amsterdam.');
    const startUp = second.slice(
      0,
      second.findIndex((l) => l.text.startsWith('== 1.')),
    );
    expect(at(startUp, 'Back door: found in the store').text).toContain(
      'due 1 June 21:35:00, 9 h 25 min ago. relock kept it across the restart and replays it now',
    );
    expect(commandsTo(startUp, 'Back door').map((l) => [l.time, l.text])).toEqual([
      [7 * 3600, expect.stringContaining('accepted')],
    ]);
    expect(at(startUp, 'Back door reported locked').time).toBe(7 * 3600 + 2);
    // a store on file tells the story as memory does: simulated time never depends on I/O
    const story = (lines: Line[]) =>
      lines.slice(
        lines.findIndex((l) => l.text.startsWith('== 1.')),
        -1,
      );
    expect(story(second)).toEqual(story(first));
    const memory = await demo(['--memory']);
    expect(story(first).map((l) => ({ ...l, text: l.text.replace(store, 'memory') }))).toEqual(story(memory));
    expect(second.map((l) => l.text).join('\n')).not.toMatch(/relock logs at ERROR|store error/);
  });

  it('an unknown flag or store is refused with the help, not a stack trace', async () => {
    const lines: string[] = [];
    expect(await runDemo(['--bogus'], (line) => lines.push(line))).toBe(2);
    expect(lines.join('\n')).toContain('Usage: npm start');
    expect(await runDemo(['--store', 'redis://x'], (line) => lines.push(line))).toBe(2);
  });

  it('--inspect-url with nothing listening fails at once with a clear message', async () => {
    const lines: string[] = [];
    const port = await freePort();
    expect(await runDemo(['--memory', '--inspect-url', `ws://127.0.0.1:${port}`], (line) => lines.push(line))).toBe(1);
    expect(lines.join('\n')).toMatch(/No inspector relay answers at ws:\/\/127\.0\.0\.1:\d+/);
  });

  it('--inspect-url streams the actor system to a relay on loopback, with PINs hidden', async () => {
    const port = await freePort();
    const relay = new WebSocketServer({ host: '127.0.0.1', port });
    closed.push(() => relay.close());
    const received: string[] = [];
    relay.on('connection', (socket) => socket.on('message', (data) => received.push(String(data))));
    const lines: string[] = [];
    expect(await runDemo(['--memory', '--inspect-url', `ws://127.0.0.1:${port}`], (line) => lines.push(line))).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const all = received.join('\n');
    expect(all).toContain('lock:front');
    expect(all).toContain('timer:garage');
    expect(all).not.toContain('271828');
  });
});
