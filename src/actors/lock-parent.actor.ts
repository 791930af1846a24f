/**
 * The parent of every lock and timer actor: it takes their one-off done and error events and
 * drops them, so that no statechart ever receives them.
 *
 * Why not the coordinator: XState 5.33 memoizes, for each state node of a machine that is sent an
 * event, the transitions of that event's type (`candidates-<type>`), in a module-wide cache that
 * lives as long as the machine. A retired actor's done event is `xstate.done.actor.<its id>`, and
 * its id is its session id: a type that is seen once. With the coordinator as their parent, every
 * add/remove cycle and every reload left an entry behind for good (15 MB over 30,000 cycles).
 * This actor is not a statechart: it has no state nodes and no cache.
 *
 * Invariants:
 * - it is a child of the coordinator, in the same actor system (systemId `locks`), so
 *   `system.get('lock:<id>')` and the inspector see every lock and timer as before;
 * - it keeps nothing and answers nothing: a lock's or timer's failure is reported by the
 *   registry's subscription to that actor, never through its parent, so a failing lock actor
 *   cannot fail the coordinator;
 * - `close()` ends it (the system is stopping): its own done event has a fixed type, so the
 *   coordinator's cache gains one entry per system, not one per lock; events after it are dropped.
 */
import { type ActorLogic, type AnyActorRef, createActor, type Snapshot } from 'xstate';

const CLOSE = 'relock.locks.close';

type LockParentSnapshot = Snapshot<undefined>;

const lockParentLogic: ActorLogic<LockParentSnapshot, { type: string }> = {
  transition: (snapshot, event) =>
    event.type === CLOSE && snapshot.status === 'active'
      ? { status: 'done', output: undefined, error: undefined }
      : snapshot,
  getInitialSnapshot: () => ({ status: 'active', output: undefined, error: undefined }),
  getPersistedSnapshot: (snapshot) => snapshot,
};

export interface LockParent {
  /** The actor to give as `parent` to every lock and timer actor. */
  readonly ref: AnyActorRef;
  /** Ends the parent once its locks and timers are retired. */
  close(): void;
}

/** Starts the parent of the lock and timer actors under the coordinator `root`. */
export function startLockParent(root: AnyActorRef): LockParent {
  const ref = createActor(lockParentLogic, { parent: root, id: 'locks', systemId: 'locks' }).start();
  return { ref, close: () => ref.send({ type: CLOSE }) };
}
