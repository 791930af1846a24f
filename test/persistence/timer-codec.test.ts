import { afterEach, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../src/errors.js';
import { decodeTimerEntry, encodeTimerEntry } from '../../src/persistence/timer-codec.js';
import { createTimerEntry } from '../../src/persistence/timer-entry.js';
import { timerHarness } from '../support/timer-harness.js';

describe('timer entry', () => {
  it('constructing an entry without a zone or with a bad duration throws a typed error naming the field', () => {
    expect(() => createTimerEntry({ endsAt: '2026-01-01T10:00:00', durationSeconds: 60 })).toThrow(
      InvalidArgumentError,
    );
    expect(() => createTimerEntry({ endsAt: '2026-01-01T10:00:00', durationSeconds: 60 })).toThrow(/endsAt/);
    expect(() => createTimerEntry({ endsAt: new Date(Number.NaN), durationSeconds: 60 })).toThrow(/endsAt/);
    expect(() => createTimerEntry({ endsAt: 0, durationSeconds: -1 })).toThrow(/durationSeconds: -1/);
    expect(() => createTimerEntry({ endsAt: 0, durationSeconds: 2.5 })).toThrow(/durationSeconds/);
    expect(() => createTimerEntry({ endsAt: Number.POSITIVE_INFINITY, durationSeconds: 1 })).toThrow(/endsAt/);
    expect(() => createTimerEntry({ endsAt: '2026-99-99T99:99:99Z', durationSeconds: 1 })).toThrow(/endsAt/);
    expect(createTimerEntry({ endsAt: new Date(5), durationSeconds: 1 }).endsAt).toBe(5);
    expect(createTimerEntry({ endsAt: '2026-01-01T10:00:00+02:00', durationSeconds: 5 }).endsAt).toBe(
      Date.UTC(2026, 0, 1, 8, 0, 0),
    );
  });

  it('an entry round-trips through its JSON form with an ISO-8601 UTC end and a version', () => {
    const entry = createTimerEntry({ endsAt: Date.UTC(2026, 5, 1, 9, 30), durationSeconds: 900 });
    const encoded = encodeTimerEntry(entry);
    expect(encoded).toEqual({ v: 1, endsAt: '2026-06-01T09:30:00.000Z', durationSeconds: 900 });
    expect(decodeTimerEntry(JSON.parse(JSON.stringify(encoded)))).toEqual({ ok: true, value: entry });
  });

  it('a retry or a confirmation round-trips as format 2 with its stage and attempt; a countdown stays format 1', () => {
    for (const stage of ['retry', 'confirm'] as const) {
      const entry = createTimerEntry({ endsAt: Date.UTC(2026, 5, 1, 9, 30), durationSeconds: 900, stage, attempt: 2 });
      const encoded = encodeTimerEntry(entry);
      expect(encoded).toEqual({ v: 2, endsAt: '2026-06-01T09:30:00.000Z', durationSeconds: 900, stage, attempt: 2 });
      expect(decodeTimerEntry(JSON.parse(JSON.stringify(encoded)))).toEqual({ ok: true, value: entry });
    }
  });

  it('a format 2 entry with a bad stage or attempt is corrupt (pruned), not a countdown', () => {
    const base = { v: 2, endsAt: '2026-06-01T09:30:00.000Z', durationSeconds: 900 };
    expect(decodeTimerEntry({ ...base, stage: 'later', attempt: 1 })).toEqual({ ok: false, reason: 'invalid stage' });
    expect(decodeTimerEntry({ ...base, stage: 'retry', attempt: 0 })).toEqual({ ok: false, reason: 'invalid attempt' });
    expect(decodeTimerEntry({ ...base, stage: 'confirm', attempt: 1.5 })).toEqual({
      ok: false,
      reason: 'invalid attempt',
    });
  });
});

describe('T16 corrupt timer entries', () => {
  it('a naive timestamp is read as UTC, not local time', () => {
    const decoded = decodeTimerEntry({ endsAt: '2026-03-01T12:00:00', durationSeconds: 60 });
    expect(decoded).toEqual({
      ok: true,
      value: { endsAt: Date.UTC(2026, 2, 1, 12), durationSeconds: 60, stage: 'countdown', attempt: 0 },
    });
  });

  it('the legacy upstream shape { end_time, duration } reads', () => {
    expect(decodeTimerEntry({ end_time: '2026-03-01T12:00:00+00:00', duration: 900 })).toEqual({
      ok: true,
      value: { endsAt: Date.UTC(2026, 2, 1, 12), durationSeconds: 900, stage: 'countdown', attempt: 0 },
    });
    expect(decodeTimerEntry({ end_time: '2026-03-01 12:00:00', duration: 900 })).toMatchObject({ ok: true });
  });

  const corrupt: Array<[string, unknown]> = [
    ['missing endsAt', { durationSeconds: 60 }],
    ['unparsable endsAt', { endsAt: 'next tuesday', durationSeconds: 60 }],
    ['non-numeric duration', { endsAt: '2026-03-01T12:00:00Z', durationSeconds: 'sixty' }],
    ['negative duration', { endsAt: '2026-03-01T12:00:00Z', durationSeconds: -5 }],
    ['a string', 'garbage'],
    ['an array', [1, 2, 3]],
    ['a number', 42],
    ['legacy with a bad time', { end_time: 'soon', duration: 5 }],
    ['a version that is not a number', { v: 'one', endsAt: '2026-03-01T12:00:00Z', durationSeconds: 60 }],
  ];

  it.each(corrupt)('%s decodes to a reason, never an entry', (_name, raw) => {
    expect(decodeTimerEntry(raw)).toMatchObject({ ok: false });
  });

  it('(10.7) an entry of a newer format decodes to a reason marked as a newer format, not as corrupt', () => {
    expect(decodeTimerEntry({ v: 3, endsAt: '2026-03-01T12:00:00Z', durationSeconds: 60 })).toMatchObject({
      ok: false,
      newerFormat: true,
    });
    expect(decodeTimerEntry({ v: 99, deadline: 'whatever' })).toMatchObject({ ok: false, newerFormat: true });
    expect(decodeTimerEntry({ v: 'one', endsAt: '2026-03-01T12:00:00Z', durationSeconds: 60 })).not.toHaveProperty(
      'newerFormat',
    );
  });

  let stop: (() => void) | undefined;
  afterEach(() => stop?.());

  it.each(corrupt)('%s is pruned on read, reported, and the timer recovers DONE', async (_name, raw) => {
    const h = await timerHarness();
    stop = h.stop;
    await h.store.set('timer:front', raw);
    const timer = h.newTimer('front');
    await timer.recover();
    await h.persistence.flush();
    expect(timer.status().state).toBe('DONE');
    expect(await h.stored('front')).toBeUndefined();
    expect(h.warnings).toEqual(['Pruning a corrupt timer entry']);
    expect(h.events).toContainEqual(expect.objectContaining({ type: 'store.pruned', key: 'timer:front' }));
  });

  it('a legacy entry in the store recovers ACTIVE with its end time', async () => {
    const h = await timerHarness();
    stop = h.stop;
    const endsAt = h.clock.now() + 60_000;
    await h.store.set('timer:front', { end_time: new Date(endsAt).toISOString(), duration: 60 });
    const timer = h.newTimer('front');
    await timer.recover();
    expect(timer.status()).toMatchObject({ state: 'ACTIVE', endsAt, durationSeconds: 60 });
  });
});

describe('(10.7) timer entries of a newer format', () => {
  let stop: (() => void) | undefined;
  afterEach(() => stop?.());

  it('(10.7) an entry of a newer format is kept untouched, reported once, and the timer stays recovering with its autolock off', async () => {
    const h = await timerHarness();
    stop = h.stop;
    h.locks.set('front', { name: 'v1' });
    const newer = { v: 3, endsAt: new Date(h.clock.now() + 60_000).toISOString(), durationSeconds: 60, zone: 'x' };
    await h.store.set('timer:front', newer);
    const timer = h.newTimer('front');
    let recovered = false;
    void timer.recover().then(() => {
      recovered = true;
    });
    await h.clock.advance(10 * 60_000);
    await h.persistence.flush();
    expect(recovered).toBe(false);
    expect(timer.status()).toMatchObject({ state: 'FRESH', running: false });
    expect(h.commands).toEqual([]);
    expect(await h.stored('front')).toEqual(newer);
    expect(h.events.filter((e) => e.type === 'store.unreadable')).toEqual([
      { type: 'store.unreadable', key: 'timer:front', reason: expect.stringContaining('newer') },
    ]);
    expect(h.events).not.toContainEqual(expect.objectContaining({ type: 'store.pruned' }));
    expect(h.warnings).toEqual(['Keeping a timer entry of a newer format']);
    // once it can be read (here: rewritten in this version's format), the retried read recovers it
    const endsAt = h.clock.now() + 5 * 60_000;
    await h.store.set('timer:front', { v: 1, endsAt: new Date(endsAt).toISOString(), durationSeconds: 300 });
    await h.clock.advance(60_000);
    expect(recovered).toBe(true);
    expect(timer.status()).toMatchObject({ state: 'ACTIVE', endsAt });
  });
});
