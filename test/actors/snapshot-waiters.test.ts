import { describe, expect, it } from 'vitest';
import { createActor, createMachine } from 'xstate';
import { SnapshotWaiters } from '../../src/actors/snapshot-waiters.js';

const ending = createMachine({
  types: {} as { events: { type: 'END' } | { type: 'BOOM' } },
  initial: 'on',
  states: {
    on: {
      on: {
        END: 'over',
        BOOM: {
          actions: () => {
            throw new Error('boom');
          },
        },
      },
    },
    over: { type: 'final' },
  },
});

describe('snapshot waiters', () => {
  it('waiters of one key share one subscription and resolve together; a condition already true resolves at once', async () => {
    const actor = createActor(ending).start();
    let subscriptions = 0;
    const subscribe = actor.subscribe.bind(actor);
    const waiters = new SnapshotWaiters({
      getSnapshot: () => actor.getSnapshot(),
      subscribe: (observer) => {
        subscriptions++;
        return subscribe(observer);
      },
    });
    await expect(waiters.until('active', (s) => s.status === 'active')).resolves.toMatchObject({ status: 'active' });
    const waiting = Array.from({ length: 1_000 }, () => waiters.until('over', (s) => s.matches('over')));
    expect(subscriptions).toBe(1);
    actor.send({ type: 'END' });
    const snapshots = await Promise.all(waiting);
    expect(snapshots.every((s) => s.status === 'done')).toBe(true);
  });

  it('waiters reject when the actor ends or fails without satisfying them, and a later wait subscribes again', async () => {
    const ended = createActor(ending).start();
    const never = new SnapshotWaiters(ended).until('never', () => false);
    ended.send({ type: 'END' });
    await expect(never).rejects.toThrow('Actor terminated without satisfying predicate');
    await expect(new SnapshotWaiters(ended).until('never', () => false)).rejects.toThrow('terminated');

    const failing = createActor(ending);
    failing.subscribe({ error: () => {} });
    failing.start();
    const waiters = new SnapshotWaiters(failing);
    const first = waiters.until('never', () => false);
    failing.send({ type: 'BOOM' });
    await expect(first).rejects.toThrow('boom');
  });
});
