/**
 * `npm run diagrams`: writes docs/statecharts.md from the machine definitions.
 * `test/docs/statecharts.test.ts` fails when the file no longer matches the machines.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { autolockTimerMachine } from '../src/machines/autolock-timer.machine.js';
import { coordinatorMachine } from '../src/machines/coordinator.machine.js';
import { lockMachine } from '../src/machines/lock.machine.js';
import { renderMermaid } from './statechart-mermaid.js';

export function statechartsDocument(): string {
  const section = (title: string, about: string, machine: Parameters<typeof renderMermaid>[0]) =>
    `## ${title}\n\n${about}\n\n\`\`\`mermaid\n${renderMermaid(machine)}\`\`\`\n`;
  return [
    '# relock statecharts',
    '',
    'Generated from the machine definitions by `npm run diagrams`; a test fails when this file and the machines disagree.',
    'The persistence actor is not a statechart: it is a per-key ordered queue (`src/actors/persistence.actor.ts`).',
    '',
    section(
      'Autolock timer (`src/machines/autolock-timer.machine.ts`)',
      'One per lock; outlives every reload of its lock. ACTIVE means the entry is durable.',
      autolockTimerMachine,
    ),
    section(
      'Lock (`src/machines/lock.machine.ts`)',
      'One per configuration load of a lock: what the host reports, and the door-open retry.',
      lockMachine,
    ),
    section(
      'Coordinator (`src/machines/coordinator.machine.ts`)',
      'The root of a relock system: owns the registry, routes reports, shuts down cleanly.',
      coordinatorMachine,
    ),
  ].join('\n');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const target = fileURLToPath(new URL('../docs/statecharts.md', import.meta.url));
  writeFileSync(target, statechartsDocument());
  console.log(`wrote ${target}`);
}
