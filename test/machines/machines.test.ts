import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import { autolockTimerMachine } from '../../src/machines/autolock-timer.machine.js';
import { coordinatorMachine } from '../../src/machines/coordinator.machine.js';
import { lockMachine } from '../../src/machines/lock.machine.js';
import { parseLockConfig } from '../../src/model/lock-config.js';

describe('statecharts without their implementations', () => {
  it('the timer machine names the implementation it is missing', async () => {
    const actor = createActor(autolockTimerMachine, { input: { lockId: 'x' } });
    actor.subscribe({ error: () => {} });
    actor.start();
    actor.send({ type: 'RECOVER' });
    expect(actor.getSnapshot().status).toBe('error');
    expect(String((actor.getSnapshot().error as Error).message)).toMatch(/"requestRead" has no implementation/);
    const overdue = createActor(autolockTimerMachine, { input: { lockId: 'x' } });
    overdue.subscribe({ error: () => {} });
    overdue.start();
    overdue.send({ type: 'RECOVERED', entry: { endsAt: 0, durationSeconds: 1, stage: 'countdown', attempt: 0 } });
    expect(overdue.getSnapshot().status).toBe('error');
    expect(String(overdue.getSnapshot().error)).toMatch(/foundOverdueEntry/);
    expect(String((overdue.getSnapshot().error as Error).message)).toMatch(/has no implementation/);
  });

  it('the lock machine names the implementation it is missing', () => {
    const actor = createActor(lockMachine, {
      input: { config: parseLockConfig({ id: 'a', name: 'A', autolock: { enabled: true } }) },
    });
    actor.subscribe({ error: () => {} });
    actor.start();
    actor.send({ type: 'LOCK_STATE', state: 'unlocked' });
    expect(actor.getSnapshot().status).toBe('error');
    expect(String(actor.getSnapshot().error)).toMatch(/"ensureAutolock" has no implementation/);
  });

  it('the coordinator machine names the implementation it is missing', () => {
    const actor = createActor(coordinatorMachine);
    actor.subscribe({ error: () => {} });
    actor.start();
    expect(actor.getSnapshot().status).toBe('error');
    expect(String(actor.getSnapshot().error)).toMatch(/"persistence" has no implementation/);
  });
});
