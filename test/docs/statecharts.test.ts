import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { statechartsDocument } from '../../scripts/diagrams.js';

describe('statechart diagrams', () => {
  it('docs/statecharts.md matches the machine definitions (run `npm run diagrams` after changing a machine)', () => {
    const onDisk = readFileSync(new URL('../../docs/statecharts.md', import.meta.url), 'utf8');
    expect(onDisk).toBe(statechartsDocument());
  });

  it('every state and every targeted transition of the timer is drawn', () => {
    const doc = statechartsDocument();
    for (const text of [
      'fresh --> recovering: RECOVER',
      'active --> firing: DEADLINE_CHECK [deadlineReached]',
      'firing --> clearing: FIRE_DONE',
      'firing --> confirming: FIRE_DONE [awaitsConfirmation]',
      'firing --> held: FIRE_DONE [firedIntoJam]',
      'firing --> retrying: FIRE_FAILED [attemptsLeft]',
      'confirming --> retrying: DEADLINE_CHECK [unconfirmedWithAttemptsLeft]',
      'confirming --> clearing: CANCEL [lockedReported]',
      'retrying --> held: JAMMED',
    ]) {
      expect(doc).toContain(text);
    }
    expect(doc).toContain('state "pending" as live_retry_pending');
    expect(doc).not.toContain('relocking');
  });
});
