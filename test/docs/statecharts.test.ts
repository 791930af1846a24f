import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { and, createMachine, fromPromise, setup, stateIn } from 'xstate';
import { charts, statechartsDocument } from '../../scripts/diagrams.js';
import { checkCoverage, renderView } from '../../scripts/statechart-mermaid.js';
import { mermaidBlocks } from './mermaid-render.js';

const doc = statechartsDocument();
const diagrams = mermaidBlocks(doc);
/** Every arrow of a diagram: `from --> to: line<br>line`. */
const arrows = (definition: string) =>
  [...definition.matchAll(/^ {2}(\S+) --> (\S+): (.*)$/gm)].map(([, from, to, label]) => ({
    from,
    to,
    lines: label.split('<br>'),
  }));

describe('statechart diagrams', () => {
  it('docs/statecharts.md matches the machine definitions (run `npm run diagrams` after changing a machine)', () => {
    const onDisk = readFileSync(new URL('../../docs/statecharts.md', import.meta.url), 'utf8');
    expect(onDisk).toBe(doc);
  });

  it('every state of every machine is a box in some diagram', () => {
    for (const { machine } of charts) {
      const paths: string[] = [];
      const walk = (node: { path: string[]; states: Record<string, unknown> }) => {
        for (const child of Object.values(node.states) as Array<typeof node>) {
          paths.push(child.path.join('_'));
          walk(child);
        }
      };
      walk(machine.root as unknown as { path: string[]; states: Record<string, unknown> });
      for (const path of paths) {
        // a compound state without transitions of its own may be drawn by its sub-states alone
        expect(doc, `${machine.id}: ${path}`).toMatch(new RegExp(`as s_${path}( |\\n|_)`));
      }
    }
  });

  it('every state and every targeted transition of the timer is drawn', () => {
    for (const text of [
      's_fresh --> x_recovering: RECOVER',
      's_active --> x_firing: DEADLINE_CHECK [deadlineReached]',
      's_firing --> x_clearing: FIRE_DONE [requestHeld]<br>FIRE_DONE [else]',
      's_firing --> x_confirming: FIRE_DONE [awaitsConfirmation]',
      's_firing --> x_held: FIRE_DONE [firedIntoJam]',
      's_firing --> x_retrying: FIRE_FAILED [attemptsLeft]',
      's_confirming --> s_retrying: DEADLINE_CHECK [unconfirmedWithAttemptsLeft]',
      's_confirming --> x_clearing: CANCEL [lockedReported]',
      's_retrying --> x_held: JAMMED',
      's_arming --> s_active: STORE_DONE (from writing)',
      's_arming_writing --> x_active: STORE_DONE',
      's_clearing_backoff --> x_retired: RETIRE',
      'any_state --> s_retired: RETIRE',
    ]) {
      expect(doc).toContain(text);
    }
    expect(doc).toContain('`arming` on `START`, `EXTEND`'); // re-entered: listed, not a loop drawn over its neighbours
    expect(doc).toContain('state "pending" as s_live_retry_pending');
    expect(doc).not.toContain('relocking');
  });

  it('no internal ids: an invoked actor by its src, no `xstate.` events, no Mermaid-reserved state ids', () => {
    expect(doc).toContain('s_stopping --> s_stopped: shutdown done<br>shutdown failed');
    for (const { definition } of diagrams) {
      for (const { lines } of arrows(definition)) {
        for (const line of lines) expect(line).not.toMatch(/xstate\.|(^|[^\w.])\d+\.[a-z]/i);
      }
      expect(definition).not.toMatch(/ as root\b|^\s*root -->/m);
    }
  });

  it('no arrow repeats itself: one arrow per pair of states, and a line leaves a state once', () => {
    for (const { name, definition } of diagrams) {
      const all = arrows(definition);
      const pairs = all.map(({ from, to }) => `${from} --> ${to}`);
      expect(
        pairs.filter((pair, i) => pairs.indexOf(pair) !== i),
        name,
      ).toEqual([]);
      // the lock's bolt once had `LOCK_STATE` unguarded to three targets from `unknown`
      const leaving = all.flatMap(({ from, lines }) => lines.map((line) => `${from}: ${line}`));
      expect(
        leaving.filter((line, i) => leaving.indexOf(line) !== i),
        name,
      ).toEqual([]);
    }
  });
});

describe('the diagram generator', () => {
  const machine = setup({
    actors: { shutdown: fromPromise(async () => {}) },
    guards: { a: () => true, b: () => true },
  }).createMachine({
    id: 'm',
    initial: 'root',
    on: { KILL: '.gone' },
    states: {
      root: {
        on: {
          GO: [{ guard: and(['a', 'b']), target: 'work' }, { guard: 'a', target: 'work' }, { target: 'gone' }],
          PING: { actions: () => {} },
          TWICE: { guard: stateIn({ root: {} }), target: 'root', reenter: true },
        },
      },
      work: {
        initial: 'one',
        invoke: { src: 'shutdown', onDone: 'gone', onError: 'gone' },
        states: { one: { on: { NEXT: 'two', OUT: '#m.gone' } }, two: {} },
      },
      gone: { type: 'final' },
    },
  });

  it('names a state `root` safely, labels guards and fallbacks, names an invoked actor by its src', () => {
    const { mermaid, inPlace, reentered } = renderView(machine, {
      title: 't',
      about: '',
      states: ['root', 'work', 'gone'],
      machineTransitions: true,
    });
    expect(mermaid).toContain('[*] --> s_root');
    // `a and b` beside `a` to the same target says nothing more; the unguarded one is the fallback
    expect(mermaid).toContain('s_root --> s_work: GO [a]\n');
    expect(mermaid).toContain('s_root --> s_gone: GO [else]');
    expect(mermaid).toContain('s_work --> s_gone: shutdown done<br>shutdown failed<br>OUT (from one)');
    expect(mermaid).toContain('any_state --> s_gone: KILL');
    expect(mermaid).not.toMatch(/NEXT/); // inside the box: drawn where `work.*` is
    expect(inPlace).toEqual([{ state: 'root', events: ['PING'] }]);
    expect(reentered).toEqual([{ state: 'root', labels: ['TWICE [in root]'] }]);
  });

  it('refuses views that leave a state or the machine’s own transitions out', () => {
    const view = (states: string[], machineTransitions = false) => ({
      title: 't',
      about: '',
      states,
      machineTransitions,
    });
    expect(() => checkCoverage(machine, [view(['root', 'work', 'gone'], true)])).toThrow('"work.one" is in no view');
    expect(() => checkCoverage(machine, [view(['root', 'work', 'work.*', 'gone'])])).toThrow('machineTransitions');
    expect(() => checkCoverage(machine, [view(['root', 'work', 'work.*', 'gone'], true)])).not.toThrow();
    expect(() => checkCoverage(createMachine({ initial: 'a', states: { a: {}, b: {} } }), [view(['a'])])).toThrow(
      '"b" is in no view',
    );
  });
});
