/**
 * Every simple path (no state visited twice) of at most `maxSteps` events from a machine's
 * initial state to the states `toState` accepts: a bounded depth-first search with the pure
 * `getNextSnapshot`. `@xstate/graph`'s `getSimplePaths` enumerates all simple paths before any
 * bound applies, which on the timer machine means 70,000 paths and half a minute.
 */
import { type AnyStateMachine, getInitialSnapshot, getNextSnapshot, type SnapshotFrom } from 'xstate';

export interface BoundedPathOptions<TSnapshot, TEvent> {
  readonly input: unknown;
  readonly events: (state: TSnapshot) => readonly TEvent[];
  readonly serializeState: (state: TSnapshot) => string;
  readonly toState: (state: TSnapshot) => boolean;
  readonly maxSteps: number;
}

export interface BoundedPath<TSnapshot, TEvent> {
  readonly steps: Array<{ event: TEvent | { type: 'xstate.init' }; state: TSnapshot }>;
  readonly state: TSnapshot;
}

export function boundedSimplePaths<TMachine extends AnyStateMachine, TEvent extends { type: string }>(
  machine: TMachine,
  options: BoundedPathOptions<SnapshotFrom<TMachine>, TEvent>,
): Array<BoundedPath<SnapshotFrom<TMachine>, TEvent>> {
  type S = SnapshotFrom<TMachine>;
  const initial = (getInitialSnapshot as (logic: AnyStateMachine, input: unknown) => S)(machine, options.input);
  const paths: Array<BoundedPath<S, TEvent>> = [];
  const steps: BoundedPath<S, TEvent>['steps'] = [{ event: { type: 'xstate.init' }, state: initial }];
  const seen = new Set<string>([options.serializeState(initial)]);
  const visit = (state: S): void => {
    if (steps.length > 1 && options.toState(state)) paths.push({ steps: [...steps], state });
    if (steps.length > options.maxSteps) return;
    for (const event of options.events(state)) {
      const next = getNextSnapshot(machine, state, event as never) as S;
      const key = options.serializeState(next);
      if (seen.has(key)) continue;
      seen.add(key);
      steps.push({ event, state: next });
      visit(next);
      steps.pop();
      seen.delete(key);
    }
  };
  visit(initial);
  return paths;
}
