/**
 * Renders an XState machine definition as a Mermaid state diagram (GitHub renders these).
 *
 * Invariants: the output is derived from the machine object alone, deterministically (same
 * machine, same text), so a test can fail when the docs no longer match the machines; every
 * state appears, and every transition with a target, labelled with its event and guard.
 */
import type { AnyStateMachine, StateNode } from 'xstate';

// biome-ignore lint/suspicious/noExplicitAny: a state node of any machine
type Node = StateNode<any, any>;

const idOf = (node: Node): string => node.path.join('_') || 'root';

function label(eventType: string, guard: unknown): string {
  let text = eventType;
  const after = eventType.match(/^xstate\.after\.([^.]+)\./);
  const done = eventType.match(/^xstate\.done\.actor\.(.+)$/);
  const error = eventType.match(/^xstate\.error\.actor\.(.+)$/);
  if (after) text = `after ${after[1]}`;
  else if (done) text = `${done[1]} done`;
  else if (error) text = `${error[1]} failed`;
  else if (eventType === '') text = 'always';
  const guardName =
    typeof guard === 'string'
      ? guard
      : typeof guard === 'object' && guard !== null
        ? (guard as { type?: string }).type
        : undefined;
  return guardName ? `${text} [${guardName.replace(/^xstate\./, '')}]` : text;
}

function renderNode(node: Node, indent: string, lines: string[]): void {
  const children = Object.values(node.states) as Node[];
  const id = idOf(node);
  if (children.length === 0) {
    lines.push(`${indent}state "${node.key}" as ${id}`);
    return;
  }
  lines.push(`${indent}state "${node.key}" as ${id} {`);
  const inner = `${indent}  `;
  if (node.type === 'parallel') {
    children.forEach((child, i) => {
      if (i > 0) lines.push(`${inner}--`);
      renderNode(child, inner, lines);
    });
  } else {
    const initial = node.initial?.target?.[0] as Node | undefined;
    if (initial) lines.push(`${inner}[*] --> ${idOf(initial)}`);
    for (const child of children) renderNode(child, inner, lines);
  }
  lines.push(`${indent}}`);
}

function collectTransitions(node: Node, lines: string[]): void {
  const all = [...node.transitions.values()].flat();
  for (const transition of [...all, ...(node.always ?? [])]) {
    for (const target of (transition.target ?? []) as Node[]) {
      lines.push(`  ${idOf(node)} --> ${idOf(target)}: ${label(transition.eventType, transition.guard)}`);
    }
  }
  if (node.type === 'final') lines.push(`  ${idOf(node)} --> [*]`);
  for (const child of Object.values(node.states) as Node[]) collectTransitions(child, lines);
}

export function renderMermaid(machine: AnyStateMachine): string {
  const root = machine.root as Node;
  const lines = ['stateDiagram-v2'];
  const initial = root.initial?.target?.[0] as Node | undefined;
  if (initial) lines.push(`  [*] --> ${idOf(initial)}`);
  for (const child of Object.values(root.states) as Node[]) renderNode(child, '  ', lines);
  // transitions of the machine itself leave whatever state it is in
  if ([...root.transitions.values()].flat().some((t) => (t.target ?? []).length > 0))
    lines.push('  state "(any state)" as root');
  collectTransitions(root, lines);
  return `${lines.join('\n')}\n`;
}
