/**
 * The ask pattern: send an actor an event carrying a sealed reply, and await the answer.
 *
 * Invariants:
 * - the reply travels sealed, so an inspector sees `[reply]`, not functions or values;
 * - asking an actor that is no longer running rejects at once with `SystemStoppedError`,
 *   instead of waiting forever for an answer that will not come;
 * - the answering work runs after the asked actor's transition, never inside its action.
 */
import type { AnyActorRef } from 'xstate';
import { SystemStoppedError } from '../errors.js';
import type { SealedReply } from '../persistence/persistence-contract.js';
import { seal } from '../persistence/sealed.js';

export function ask<T, E extends { type: string }>(
  ref: AnyActorRef,
  who: string,
  build: (reply: SealedReply<T>) => E,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    if (ref.getSnapshot().status !== 'active') {
      reject(new SystemStoppedError(who));
      return;
    }
    ref.send(build(seal({ resolve, reject }, 'reply')));
  });
}

/**
 * Settles a sealed reply with the outcome of `work`, which runs just after the current
 * transition: work that creates actors must not run inside another actor's action.
 */
export function answer<T>(reply: SealedReply<T>, work: () => Promise<T> | T): void {
  const { resolve, reject } = reply.unseal();
  Promise.resolve().then(work).then(resolve, reject);
}
