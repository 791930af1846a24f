import { describe, expect, it } from 'vitest';
import { createActor, createMachine } from 'xstate';
import { indexSchedulerBySource } from '../../src/actors/indexed-scheduler.js';
import { ManualClock } from '../../src/clock/manual-clock.js';

const waiter = createMachine({
  initial: 'waiting',
  states: { waiting: { after: { 1000: 'done' }, on: { STOP: 'stopped' } }, done: {}, stopped: { type: 'final' } },
});

describe('indexed scheduler', () => {
  it('stopping one actor cancels its delayed events only, without visiting the others', async () => {
    const clock = new ManualClock(0);
    const root = createActor(createMachine({}), { clock });
    const cancelled: string[] = [];
    const originalCancel = root.system.scheduler.cancel.bind(root.system.scheduler);
    root.system.scheduler.cancel = (source, id) => {
      cancelled.push(source.sessionId);
      originalCancel(source, id);
    };
    indexSchedulerBySource(root.system);
    root.start();
    const actors = Array.from({ length: 1_000 }, () => createActor(waiter, { parent: root }).start());
    const [first, ...rest] = actors;
    first.send({ type: 'STOP' });
    expect(cancelled).toEqual([first.sessionId]);
    await clock.advance(1_000);
    expect(rest.every((actor) => actor.getSnapshot().value === 'done')).toBe(true);
    expect(first.getSnapshot().value).toBe('stopped');
  });

  it('events that fired are forgotten, and re-scheduled ones are cancelled on stop', async () => {
    const clock = new ManualClock(0);
    const root = createActor(createMachine({}), { clock });
    indexSchedulerBySource(root.system);
    root.start();
    const looping = createMachine({
      initial: 'a',
      states: { a: { after: { 10: 'b' } }, b: { after: { 10: 'a' } } },
    });
    const actor = createActor(looping, { parent: root }).start();
    await clock.advance(1_000);
    expect(Object.keys(root.system.getSnapshot()._scheduledEvents)).toHaveLength(1);
    (actor as unknown as { _stop(): void })._stop();
    expect(Object.keys(root.system.getSnapshot()._scheduledEvents)).toHaveLength(0);
  });
});
