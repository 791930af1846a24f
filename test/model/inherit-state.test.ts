import { describe, expect, it } from 'vitest';
import { inheritState } from '../../src/model/inherit-state.js';
import { parseLockConfig } from '../../src/model/lock-config.js';

const old = parseLockConfig({
  id: 'front',
  name: 'Old',
  autolock: { enabled: true, dayMinutes: 7, nightMinutes: 3, retryWhenDoorCloses: true },
  codeSlots: [
    {
      number: 1,
      name: 'Alice',
      pin: '111111',
      enabled: true,
      notifications: true,
      synced: true,
      accessLimits: {
        useCount: 3,
        dateRange: { start: '2026-01-01', end: '2026-02-01' },
        weekdays: [
          { weekday: 1, enabled: false, window: { start: '08:00', end: '10:00', mode: 'exclude' } },
          { weekday: 2, enabled: true },
        ],
      },
    },
    { number: 2, name: 'Bob', pin: '222222' },
  ],
});
const runtime = {
  lockState: 'unlocked',
  doorState: 'open',
  pendingRetry: true,
  cycleEnded: true,
  jamNoticeShown: false,
  doorNoticeShown: false,
  warningNoticeShown: false,
  retryNoticeShown: true,
  doorClosedNoticeShown: false,
  failedNoticeShown: false,
} as const;

describe('reload handoff rules', () => {
  it('the new lock takes the old runtime state and pending retry; the autolock settings the host passes win', () => {
    const next = parseLockConfig({ id: 'front', name: 'New', autolock: { enabled: false, dayMinutes: 99 } });
    const handoff = inheritState(next, { config: old, runtime });
    expect(handoff.runtime).toEqual(runtime);
    expect(handoff.config.autolock).toEqual(next.autolock);
    expect(handoff.config.name).toBe('New');
  });

  it('(10.10) a host that passes no autolock block keeps the old settings', () => {
    const next = parseLockConfig({ id: 'front', name: 'New' });
    const handoff = inheritState(next, { config: old, runtime }, { inheritAutolock: true });
    expect(handoff.config.autolock).toEqual(old.autolock);
  });

  it('slots on both sides keep the old user state; weekdays on both sides keep theirs; structure is the new one', () => {
    const next = parseLockConfig({
      id: 'front',
      name: 'New',
      codeSlots: [
        {
          number: 1,
          name: 'Renamed',
          pin: '999999',
          enabled: false,
          synced: false,
          accessLimits: {
            useCount: 50,
            weekdays: [
              { weekday: 1, enabled: true },
              { weekday: 5, enabled: false },
            ],
          },
        },
        { number: 3, name: 'Carol', pin: '333333' },
      ],
    });
    const { config, droppedAllSlots } = inheritState(next, { config: old, runtime });
    expect(droppedAllSlots).toBe(false);
    expect(config.codeSlots.map((slot) => slot.number)).toEqual([1, 3]);
    const [slot1, slot3] = config.codeSlots;
    expect(slot1).toMatchObject({ name: 'Alice', enabled: true, notifications: true, synced: false });
    expect(slot1?.pin?.reveal()).toBe('111111');
    expect(slot1?.accessLimits.useCount).toBe(3);
    expect(slot1?.accessLimits.dateRange).toEqual({ start: '2026-01-01', end: '2026-02-01' });
    expect(slot1?.accessLimits.weekdays).toEqual([
      { weekday: 1, enabled: false, window: { start: '08:00', end: '10:00', mode: 'exclude' } },
      { weekday: 5, enabled: false, window: null },
    ]);
    expect(slot3).toMatchObject({ name: 'Carol' });
    expect(slot3?.pin?.reveal()).toBe('333333');
  });

  it('a replacement with no code slots keeps the old ones and says so', () => {
    const next = parseLockConfig({ id: 'front', name: 'New', codeSlots: [] });
    const handoff = inheritState(next, { config: old, runtime });
    expect(handoff.droppedAllSlots).toBe(true);
    expect(handoff.config.codeSlots).toBe(old.codeSlots);
  });
});
