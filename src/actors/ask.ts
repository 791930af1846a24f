/**
 * The ask pattern: send an actor an event carrying a sealed reply, and await the answer.
 *
 * Invariants:
 * - the reply travels sealed, so an inspector sees `[reply]`, not functions or values;
 * - asking an actor that is no longer running rejects at once with `SystemStoppedError`,
 *   instead of waiting forever for an answer that will not come.
 */
import type { AnyActorRef } from 'xstate';
import { SystemStoppedError } from '../errors.js';
import { type Sealed, seal } from '../persistence/sealed.js';

export interface Reply<T> {
  resolve(value: T): void;
  reject(error: unknown): void;
}

export type SealedReply<T> = Sealed<Reply<T>>;

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

/** Settles a sealed reply with the outcome of `work`. */
export function answer<T>(reply: SealedReply<T>, work: () => Promise<T> | T): void {
  const { resolve, reject } = reply.unseal();
  try {
    Promise.resolve(work()).then(resolve, reject);
  } catch (error) {
    reject(error);
  }
}
