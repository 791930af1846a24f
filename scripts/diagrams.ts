/**
 * `npm run diagrams`: writes docs/statecharts.md from the machine definitions.
 * `test/docs/statecharts.test.ts` fails when the file no longer matches the machines, and
 * `test/docs/mermaid-render.test.ts` renders every diagram with Mermaid and checks it reads well.
 *
 * A machine is drawn as a few small diagrams (views) rather than one: a whole machine in one
 * Mermaid diagram is several thousand pixels wide. The views below say which states each one
 * draws as boxes; together they draw every state and so every transition (checked when the
 * document is built, so a new state cannot go missing). A view that gets too wide or tangled fails
 * the render test: split it, or change its `direction`.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AnyStateMachine } from 'xstate';
import { autolockTimerMachine } from '../src/machines/autolock-timer.machine.js';
import { coordinatorMachine } from '../src/machines/coordinator.machine.js';
import { lockMachine } from '../src/machines/lock.machine.js';
import { type RenderedView, renderViews, type View } from './statechart-mermaid.js';

interface Chart {
  readonly title: string;
  readonly about: string;
  readonly machine: AnyStateMachine;
  readonly views: readonly View[];
}

export const charts: readonly Chart[] = [
  {
    title: 'Autolock timer (`src/machines/autolock-timer.machine.ts`)',
    about:
      'One per lock; outlives every reload of its lock. ACTIVE means the entry is durable. ' +
      'A state that calls the store has sub-states: the call, and a `backoff` before it is tried again.',
    machine: autolockTimerMachine,
    views: [
      {
        title: 'Start-up',
        about:
          'The stored entry is read (`RECOVER`), or was read by the caller (`RECOVERED`); the cycle resumes where the entry says.',
        states: ['fresh'],
        direction: 'LR',
      },
      {
        title: 'Inside `recovering`',
        about: 'The entry is read from the store; a failed read is tried again after a backoff.',
        states: ['recovering.*'],
        direction: 'LR',
      },
      {
        title: 'Arming and the countdown',
        about: 'A START writes the entry; the countdown runs while it is written, and the deadline check fires it.',
        states: ['done', 'arming', 'active'],
      },
      {
        title: 'Firing',
        about: 'The lock command (bounded by `actionTimeout`); a CANCEL or START that arrives meanwhile is held.',
        states: ['firing'],
        direction: 'LR',
      },
      {
        title: 'Retrying and confirming',
        about: 'A retry waits for its backoff; a confirmation waits for a `locked` report.',
        states: ['retrying', 'confirming'],
        direction: 'LR',
      },
      {
        title: 'Failed, held, clearing, retired',
        about:
          'The entry is kept for replay after a restart (no attempt left, or the lock jammed) or removed at the end of a cycle; RETIRE stops the timer from any state.',
        states: ['failed', 'held', 'clearing', 'retired'],
        machineTransitions: true,
        direction: 'LR',
      },
      ...(['arming', 'retrying', 'confirming', 'failed', 'held', 'clearing'] as const).map((state) => ({
        title: `Inside \`${state}\``,
        about: '',
        states: [`${state}.*`],
        direction: 'LR' as const,
      })),
    ],
  },
  {
    title: 'Lock (`src/machines/lock.machine.ts`)',
    about:
      'One per configuration load of a lock: what the host reports, and the door-open retry. ' +
      '`live` has three parallel regions, each drawn on its own below.',
    machine: lockMachine,
    views: [
      {
        title: 'Overview',
        about: 'The regions run side by side until the lock is retired.',
        states: ['live', 'live.bolt', 'live.door', 'live.retry', 'retired'],
        nest: true,
      },
      {
        title: 'Region `live.bolt`',
        about: 'What the host reports of the bolt (`LOCK_STATE`), or a restored state.',
        states: ['live.bolt.*'],
      },
      {
        title: 'Region `live.door`',
        about: 'What the door sensor reports (`DOOR_STATE`), or a restored state.',
        states: ['live.door.*'],
      },
      {
        title: 'Region `live.retry`',
        about: 'A fire that found the door open waits here for the door to close.',
        states: ['live.retry.*'],
        direction: 'LR',
      },
    ],
  },
  {
    title: 'Coordinator (`src/machines/coordinator.machine.ts`)',
    about: 'The root of a relock system: owns the registry, routes reports, shuts down cleanly.',
    machine: coordinatorMachine,
    views: [{ title: 'Lifecycle', about: '', states: ['running', 'stopping', 'stopped'], direction: 'LR' }],
  },
];

/** What a diagram leaves to prose: transitions back into the same state, and events handled in place. */
function besideText(rendered: RenderedView): string {
  const code = (text: string) => `\`${text}\``;
  const out: string[] = [];
  if (rendered.reentered.length > 0) {
    const items = rendered.reentered.map(({ state, labels }) => `${code(state)} on ${labels.map(code).join(', ')}`);
    out.push(`Left and entered again (its entry actions run anew): ${items.join('; ')}.`);
  }
  if (rendered.inPlace.length > 0) {
    const items = rendered.inPlace.map(
      ({ state, events }) => `${state ? code(state) : 'any state'}: ${events.map(code).join(', ')}`,
    );
    out.push(`Handled without a change of state: ${items.join('; ')}.`);
  }
  return out.length > 0 ? `\n${out.join('\n\n')}\n` : '';
}

function chartSection(chart: Chart): string {
  const views = renderViews(chart.machine, chart.views);
  const parts = [`## ${chart.title}`, '', chart.about, ''];
  for (const rendered of views) {
    if (views.length > 1) parts.push(`### ${rendered.view.title}`, '');
    if (rendered.view.about) parts.push(rendered.view.about, '');
    parts.push('```mermaid', rendered.mermaid.trimEnd(), '```');
    parts.push(besideText(rendered));
  }
  return parts.join('\n');
}

export function statechartsDocument(): string {
  return [
    '# relock statecharts',
    '',
    'Generated from the machine definitions by `npm run diagrams`; a test fails when this file and the machines disagree,',
    'and another renders every diagram with Mermaid and checks that it reads (`test/docs/`).',
    '',
    'Each machine is drawn as a few small diagrams that together show every state and every transition:',
    '',
    '- a dashed box is a state drawn in another diagram of the same machine (`retrying.saved`: the sub-state `saved` of `retrying`);',
    '- an arrow carries one line per transition: the event, then its guard in brackets (`[else]`: none of the guards above it holds);',
    '- a state with sub-states is one box, whose arrows include those leaving it from the sub-state it starts in, marked',
    '  `(from writing)`; its sub-states and all their arrows are drawn under “Inside”;',
    '- events a state handles without leaving it, and transitions back into the same state, are listed under the diagram.',
    '',
    'The persistence actor is not a statechart: it is a per-key ordered queue (`src/actors/persistence.actor.ts`).',
    '',
    ...charts.map(chartSection),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const target = fileURLToPath(new URL('../docs/statecharts.md', import.meta.url));
  writeFileSync(target, statechartsDocument());
  console.log(`wrote ${target}`);
}
