import { describe, expect, it } from 'vitest';
import { ReportBuffer, type StateReport } from '../../src/actors/report-buffer.js';

const lock = (state: 'locked' | 'unlocked' | 'jammed'): StateReport => ({ type: 'LOCK_STATE', state });
const door = (state: 'open' | 'closed'): StateReport => ({ type: 'DOOR_STATE', state });

function buffered(reports: Array<[string, StateReport]>): string[] {
  const applied: string[] = [];
  const buffer = new ReportBuffer((lockId, report) => applied.push(`${lockId} ${report.type} ${report.state}`));
  for (const [lockId, report] of reports) buffer.add(lockId, report);
  buffer.flush();
  return applied;
}

describe('report buffer', () => {
  it('(10.20) a burst keeps per lock and kind the last state and the one it changed from, in order', () => {
    const burst: Array<[string, StateReport]> = [];
    for (let i = 0; i < 100_000; i++) burst.push(['front', lock(i % 2 === 0 ? 'unlocked' : 'locked')]);
    expect(buffered(burst)).toEqual(['front LOCK_STATE unlocked', 'front LOCK_STATE locked']);
  });

  it('(10.20) locked then unlocked in one burst still reaches the lock as both (a new cycle)', () => {
    expect(
      buffered([
        ['front', lock('locked')],
        ['front', lock('unlocked')],
      ]),
    ).toEqual(['front LOCK_STATE locked', 'front LOCK_STATE unlocked']);
  });

  it('(10.20) a repeated state is dropped; kinds and locks keep their own order', () => {
    expect(
      buffered([
        ['front', door('open')],
        ['front', lock('unlocked')],
        ['front', lock('unlocked')],
        ['back', lock('jammed')],
        ['front', door('closed')],
        ['front', door('open')],
      ]),
    ).toEqual([
      'front LOCK_STATE unlocked',
      'front DOOR_STATE closed',
      'front DOOR_STATE open',
      'back LOCK_STATE jammed',
    ]);
  });

  it('applies on the next microtask by itself', async () => {
    const applied: string[] = [];
    const buffer = new ReportBuffer((lockId, report) => applied.push(`${lockId} ${report.state}`));
    buffer.add('front', lock('locked'));
    expect(applied).toEqual([]);
    await Promise.resolve();
    expect(applied).toEqual(['front locked']);
  });
});
