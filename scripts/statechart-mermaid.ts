/**
 * Renders an XState machine definition as Mermaid state diagrams (GitHub renders these), one
 * diagram per view, so that each stays small enough to read: a view draws some states of the
 * machine as boxes and every transition that leaves them; a target that is not a box of the view
 * is a dashed box named by its path (`retrying.saved`).
 *
 * A compound state is drawn as one box, or its children are (`'arming.*'`), or both in two
 * views. Drawn as one box, it also shows the transitions that leave it from the sub-state it
 * starts in, marked `(from writing)`; its other sub-states' transitions are left to the view that
 * draws them. Children are drawn inside their parent's box only where a view asks (`nest`):
 * Mermaid lays out edges that cross a nested box badly.
 *
 * Invariants: the output is derived from the machine object and the views alone,
 * deterministically (same machine, same text), so a test can fail when the docs no longer match
 * the machines; every state is a box in some view, or has no transition with a target and its
 * children are boxes (`checkCoverage` throws otherwise), so every transition with a target is
 * drawn, labelled with its event and guard; an unguarded transition that follows guarded ones
 * for the same event is labelled `[else]`; transitions between the same two boxes are one arrow
 * with one line per transition; transitions without a target (the state handles the event and
 * stays) are listed by event beside the diagram; no label carries an internal id (`xstate.…`,
 * `0.machine.state`): an invoked actor is named by its `src`, a delay by its name.
 */
import type { AnyStateMachine, StateNode } from 'xstate';

// biome-ignore lint/suspicious/noExplicitAny: a state node of any machine
type Node = StateNode<any, any>;
interface Transition {
  readonly eventType: string;
  readonly guard?: unknown;
  readonly target?: readonly Node[] | undefined;
}

/** One diagram: which states it draws, and how. */
export interface View {
  /** The heading above the diagram. */
  readonly title: string;
  /** A sentence or two under the heading. */
  readonly about: string;
  /** Paths of the states drawn as boxes (`'fresh'`, `'live.bolt'`); `'arming.*'`: its children. */
  readonly states: readonly string[];
  /** Also draw the machine's own transitions (taken in any state), from an `any state` box. */
  readonly machineTransitions?: boolean;
  /** Draw the children listed in the view inside their parent's box. */
  readonly nest?: boolean;
  /** `LR` suits a state with many targets (with Mermaid's default, `TB`, their labels sit side by side). */
  readonly direction?: 'LR' | 'TB';
}

/** A rendered view: its Mermaid text and the events its states handle without a change of state. */
export interface RenderedView {
  readonly view: View;
  readonly mermaid: string;
  /** Per state path: event types handled in place (`''`: by the machine, in any state). */
  readonly inPlace: ReadonlyArray<{ readonly state: string; readonly events: readonly string[] }>;
  /**
   * Per state path: the labels of its transitions back into itself (it is left and entered again).
   * Listed beside the diagram: Mermaid draws a loop's label over its neighbours'.
   */
  readonly reentered: ReadonlyArray<{ readonly state: string; readonly labels: readonly string[] }>;
}

const pathOf = (node: Node): string => node.path.join('.');
/** A Mermaid id. `s_` keeps it clear of names Mermaid gives a meaning (a state called `root` breaks the layout). */
const idOf = (node: Node): string => `s_${node.path.join('_')}`;
const elsewhereId = (node: Node): string => `x_${node.path.join('_')}`;
const ANY_STATE = 'any_state';

const childrenOf = (node: Node): Node[] => Object.values(node.states) as Node[];
const descendants = (node: Node): Node[] => [node, ...childrenOf(node).flatMap(descendants)];
function ancestors(node: Node): Node[] {
  const out: Node[] = [];
  for (let parent = node.parent as Node | undefined; parent; parent = parent.parent as Node | undefined)
    out.push(parent);
  return out;
}
const initialChild = (node: Node): Node | undefined =>
  node.type === 'compound' ? (node.initial?.target?.[0] as Node | undefined) : undefined;
/** The sub-states a compound state starts in: its initial child, that child's initial child… */
function startChain(node: Node): Node[] {
  const chain: Node[] = [];
  for (let next = initialChild(node); next; next = initialChild(next)) chain.push(next);
  return chain;
}

/** A guard as its name, or its parts for `and`/`or`/`not`/`stateIn`. */
function guardText(guard: unknown): string | undefined {
  if (guard === undefined || guard === null) return undefined;
  if (typeof guard === 'string') return guard.replace(/^xstate\./, '');
  if (typeof guard === 'function') {
    const g = guard as { name: string; guards?: unknown[]; stateValue?: unknown };
    if (g.name === 'and' || g.name === 'or') return g.guards?.map((part) => guardText(part)).join(` ${g.name} `);
    if (g.name === 'not') return `not ${guardText(g.guards?.[0])}`;
    if (g.name === 'stateIn') return `in ${stateValueText(g.stateValue)}`;
    return g.name || 'guarded';
  }
  if (typeof guard === 'object') return guardText((guard as { type?: string }).type);
  return 'guarded';
}

function stateValueText(value: unknown): string {
  if (typeof value === 'string') return value.replace(/^#[^.]+\./, '');
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value)
      .map(([key, inner]) => {
        const rest = stateValueText(inner);
        return rest ? `${key}.${rest}` : key;
      })
      .join(', ');
  }
  return String(value);
}

/** An invoked actor's name for its done and error events: its `src` when XState made up its id. */
function actorName(node: Node, actorId: string): string {
  const generated = /^\d+\./.test(actorId);
  for (const holder of [node, ...ancestors(node)]) {
    for (const invoke of holder.invoke ?? []) {
      if (invoke.id === actorId) return generated && typeof invoke.src === 'string' ? invoke.src : actorId;
    }
  }
  return generated ? 'invoked actor' : actorId;
}

function eventText(node: Node, eventType: string): string {
  const after = eventType.match(/^xstate\.after\.([^.]+)\./);
  const done = eventType.match(/^xstate\.done\.actor\.(.+)$/);
  const error = eventType.match(/^xstate\.error\.actor\.(.+)$/);
  if (after) return /^\d+$/.test(after[1]) ? `after ${after[1]} ms` : `after ${after[1]}`;
  if (done) return `${actorName(node, done[1])} done`;
  if (error) return `${actorName(node, error[1])} failed`;
  if (eventType.startsWith('xstate.done.state.')) return 'done';
  if (eventType === '') return 'always';
  if (eventType === '*') return 'any event';
  return eventType;
}

/** Every transition of a node, in the order XState tries them, eventless ones last. */
function transitionsOf(node: Node): Transition[] {
  return [...[...node.transitions.values()].flat(), ...(node.always ?? [])] as Transition[];
}
const hasTargets = (node: Node): boolean => transitionsOf(node).some((t) => (t.target ?? []).length > 0);

/** A transition as an arrow's label line: its event, its condition, the parts of an `and` condition. */
interface Line {
  readonly event: string;
  readonly condition: string | undefined;
  readonly parts: readonly string[];
  readonly suffix: string;
}
const lineText = (line: Line): string => `${line.event}${line.condition ? ` [${line.condition}]` : ''}${line.suffix}`;

/** One line per transition: event and guard; `[else]` for the fallback after guarded ones. */
function lines(node: Node): Map<Transition, Line> {
  const out = new Map<Transition, Line>();
  const guarded = new Set<string>();
  for (const transition of transitionsOf(node)) {
    const event = eventText(node, transition.eventType);
    const guard = guardText(transition.guard);
    if (guard) guarded.add(transition.eventType);
    const condition = guard ?? (guarded.has(transition.eventType) ? 'else' : undefined);
    const g = transition.guard;
    const parts =
      typeof g === 'function' && g.name === 'and'
        ? ((g as { guards?: unknown[] }).guards ?? []).map((part) => guardText(part) ?? '')
        : guard
          ? [guard]
          : [];
    out.set(transition, { event, condition, parts, suffix: '' });
  }
  return out;
}

/**
 * The lines of one arrow, without those another line of the same event implies: `E [a and b]`
 * beside `E [a]` to the same target says nothing more (it differs in its actions only).
 */
function arrowLines(list: readonly Line[]): string[] {
  const implied = (line: Line) =>
    list.some(
      (other) =>
        other !== line &&
        other.event === line.event &&
        other.suffix === line.suffix &&
        other.parts.length > 0 &&
        other.parts.length < line.parts.length &&
        other.parts.every((part) => line.parts.includes(part)),
    );
  const texts = list.filter((line) => !implied(line)).map(lineText);
  return texts.filter((text, i) => texts.indexOf(text) === i);
}

/** The events a state handles without a change of state. */
function inPlaceEvents(node: Node): string[] {
  const events: string[] = [];
  for (const transition of transitionsOf(node)) {
    const event = eventText(node, transition.eventType);
    if ((transition.target ?? []).length === 0 && !events.includes(event)) events.push(event);
  }
  return events;
}

/** Mermaid ends a label at `;` and reads `#…;` as an entity: both are written as entities. */
const entities = (text: string): string => text.replace(/#/g, '#35;').replace(/;/g, '#59;');

function lookup(machine: AnyStateMachine, path: string): Node {
  let node = machine.root as Node;
  for (const key of path.split('.')) {
    const next = (node.states as Record<string, Node>)[key];
    if (!next) throw new Error(`${machine.id} has no state "${path}"`);
    node = next;
  }
  return node;
}

/** The states a view draws as boxes, in document order. */
function boxesOf(machine: AnyStateMachine, view: View): Node[] {
  return view.states.flatMap((path) =>
    path.endsWith('.*') ? childrenOf(lookup(machine, path.slice(0, -2))) : [lookup(machine, path)],
  );
}

/**
 * Boxes in the order a reader follows them: from the state the view starts in, along the
 * transitions, then the rest as listed. Mermaid's layout takes its cue from this order (the first
 * box and the first arrows go at the top), so a start state with many ways back into it is not
 * drawn at the bottom.
 */
function flowOrder(boxes: readonly Node[]): Node[] {
  const inView = new Set(boxes);
  const starts = boxes.filter((node) => {
    const parent = node.parent as Node;
    return parent.initial?.target?.[0] === node && !inView.has(parent);
  });
  const order: Node[] = [];
  const queue = [...starts];
  while (queue.length > 0) {
    const node = queue.shift() as Node;
    if (order.includes(node)) continue;
    order.push(node);
    for (const transition of transitionsOf(node)) {
      for (const target of transition.target ?? []) {
        const box = [target, ...ancestors(target)].find((n) => inView.has(n));
        if (box && !order.includes(box)) queue.push(box);
      }
    }
  }
  return [...order, ...boxes.filter((node) => !order.includes(node))];
}

/** The states drawn as a box in some view. */
const boxedIn = (machine: AnyStateMachine, views: readonly View[]): Set<Node> =>
  new Set(views.flatMap((view) => boxesOf(machine, view)));

/**
 * Throws unless every state is a box in some view (or has no transition with a target and all
 * its children are boxes), and the machine's own transitions, if it has any, are drawn by
 * exactly one view: a new state or transition cannot go missing from the docs.
 */
export function checkCoverage(machine: AnyStateMachine, views: readonly View[]): void {
  const boxed = boxedIn(machine, views);
  for (const node of descendants(machine.root as Node).slice(1)) {
    const byChildren = !hasTargets(node) && childrenOf(node).length > 0 && childrenOf(node).every((c) => boxed.has(c));
    if (!boxed.has(node) && !byChildren) throw new Error(`${machine.id}: state "${pathOf(node)}" is in no view`);
  }
  const own = views.filter((view) => view.machineTransitions).length;
  if (transitionsOf(machine.root as Node).length > 0 && own !== 1) {
    throw new Error(`${machine.id}: its own transitions need exactly one view with machineTransitions`);
  }
}

/** One view as a Mermaid diagram; `boxed` (every view's boxes) says where an unboxed parent's events are listed. */
export function renderView(machine: AnyStateMachine, view: View, boxed = boxedIn(machine, [view])): RenderedView {
  const root = machine.root as Node;
  const boxes = flowOrder(boxesOf(machine, view));
  const drawn = new Set(boxes);
  const parents = new Set(boxes.map((node) => node.parent as Node));
  const nestedIn = (node: Node): Node | undefined =>
    view.nest && node.parent && drawn.has(node.parent as Node) ? (node.parent as Node) : undefined;
  /** A box is named by its key when all share one parent (a region, a state's sub-states) or it sits in its parent's box, else by its path. */
  const label = (node: Node): string => (parents.size === 1 || nestedIn(node) ? node.key : pathOf(node));

  const out = ['stateDiagram-v2'];
  if (view.direction) out.push(`  direction ${view.direction}`);
  out.push('  classDef elsewhere fill:#f6f6f6,stroke:#999,stroke-dasharray:4 3,color:#444');

  const elsewhere = new Map<string, string>();
  const edges = new Map<string, Line[]>();
  const addEdge = (from: string, to: string, line: Line) => {
    const key = `${from} --> ${to}`;
    edges.set(key, [...(edges.get(key) ?? []), line]);
  };

  // boxes, nested where asked; the initial arrow where the start is in this view
  const declare = (node: Node, indent: string): void => {
    const inner = boxes.filter((child) => nestedIn(child) === node);
    if (inner.length === 0) {
      out.push(`${indent}state "${label(node)}" as ${idOf(node)}`);
      return;
    }
    out.push(`${indent}state "${label(node)}" as ${idOf(node)} {`);
    const first = initialChild(node);
    if (first && inner.includes(first)) out.push(`${indent}  [*] --> ${idOf(first)}`);
    inner.forEach((child, i) => {
      if (node.type === 'parallel' && i > 0) out.push(`${indent}  --`);
      declare(child, `${indent}  `);
    });
    out.push(`${indent}}`);
  };
  for (const node of boxes) {
    if (nestedIn(node)) continue;
    const parent = node.parent as Node;
    if (initialChild(parent) === node) {
      if (parent === root || (parents.size === 1 && !drawn.has(parent))) out.push(`  [*] --> ${idOf(node)}`);
      else if (!drawn.has(parent)) {
        // sub-states of several states in one view: each group is entered from a dashed box of its parent
        elsewhere.set(elsewhereId(parent), pathOf(parent));
        addEdge(elsewhereId(parent), idOf(node), { event: 'enter', condition: undefined, parts: [], suffix: '' });
      }
    }
    declare(node, '  ');
  }

  // transitions: each box's own, and those that leave it from the sub-states it starts in
  const target = (node: Node): { id: string; into: string } => {
    const box = [node, ...ancestors(node)].find((n) => drawn.has(n));
    if (box) return { id: idOf(box), into: node.path.slice(box.path.length).join('.') };
    elsewhere.set(elsewhereId(node), pathOf(node));
    return { id: elsewhereId(node), into: '' };
  };
  const addTransitions = (node: Node, from: string, box: Node) => {
    const text = lines(node);
    const lifted = node !== box;
    for (const transition of transitionsOf(node)) {
      for (const to of transition.target ?? []) {
        if (lifted && (to === box || ancestors(to).includes(box))) continue; // stays inside the box
        const { id, into } = target(to);
        const via = lifted ? ` (from ${node.path.slice(box.path.length).join('.')})` : '';
        const line = text.get(transition) as Line;
        addEdge(from, id, { ...line, suffix: `${via}${into ? ` (to ${into})` : ''}` });
      }
    }
  };
  if (view.machineTransitions) addTransitions(root, ANY_STATE, root);
  for (const box of boxes) {
    addTransitions(box, idOf(box), box);
    for (const node of startChain(box)) if (!drawn.has(node)) addTransitions(node, idOf(box), box);
  }

  const anyState = [...edges.keys()].some((key) => key.startsWith(`${ANY_STATE} `));
  if (anyState) out.push(`  state "any state" as ${ANY_STATE}`);
  for (const [id, name] of elsewhere) out.push(`  state "${name}" as ${id}`);
  const reentered: Array<{ state: string; labels: string[] }> = [];
  for (const [key, list] of edges) {
    const [from, to] = key.split(' --> ');
    const box = boxes.find((node) => idOf(node) === from);
    if (from === to && box) reentered.push({ state: pathOf(box), labels: arrowLines(list) });
    else out.push(`  ${key}: ${entities(arrowLines(list).join('<br>'))}`);
  }
  for (const node of boxes) if (node.type === 'final' && !nestedIn(node)) out.push(`  ${idOf(node)} --> [*]`);
  const dashed = [...elsewhere.keys(), ...(anyState ? [ANY_STATE] : [])];
  if (dashed.length > 0) out.push(`  class ${dashed.join(', ')} elsewhere`);

  // events handled in place: the boxes', the machine's (with its transitions), and an unboxed parent's
  const listed = [
    ...(view.machineTransitions ? [root] : []),
    ...[...parents].filter((parent) => parent !== root && !boxed.has(parent)),
    ...boxes,
  ];
  const inPlace = listed
    .map((node) => ({ state: pathOf(node), events: inPlaceEvents(node) }))
    .filter((entry) => entry.events.length > 0);
  return { view, mermaid: `${out.join('\n')}\n`, inPlace, reentered };
}

/** Every view of a machine, after checking that together they draw every state. */
export function renderViews(machine: AnyStateMachine, views: readonly View[]): RenderedView[] {
  checkCoverage(machine, views);
  const boxed = boxedIn(machine, views);
  return views.map((view) => renderView(machine, view, boxed));
}
