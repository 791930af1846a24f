import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { quickStart } from '../../examples/quick-start.js';

describe('README quick start', () => {
  it('the README shows examples/quick-start.ts as it is', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const file = readFileSync(new URL('../../examples/quick-start.ts', import.meta.url), 'utf8');
    const block = readme.match(/## Quick start[\s\S]*?```ts\n([\s\S]*?)```/)?.[1];
    expect(block).toBe(file.replace("from '../src/index.js'", "from 'relock'"));
  });

  it('runs: autolock, door-open wait, a failed command retried 30 s later, confirmed by the locked report', async () => {
    const lines: string[] = [];
    const events = await quickStart((line) => lines.push(line));
    expect(lines[0]).toBe('autolock in 300 s, at 2026-06-01T12:05:00.000Z');
    expect(lines).toContain('pending retry: true');
    expect(lines.filter((line) => line.startsWith('driver: locking'))).toHaveLength(1);
    expect(lines).toContainEqual(
      expect.stringMatching(/^notify front_door__front_autolock_failed: .*attempt 1 of 5.*12:05:30 UTC/),
    );
    expect(lines).toContain(
      'status: Lock command accepted (attempt 2 of 5); waiting until 12:06:00 UTC for the lock to report locked.',
    );
    // door_open went when the door closed; the locked report dismisses only what still shows
    expect(lines.filter((line) => line === 'dismiss front_door__front_autolock_door_open')).toHaveLength(1);
    expect(lines.slice(-3, -1)).toEqual([
      'dismiss front_door__front_autolock_door_closed',
      'dismiss front_door__front_autolock_failed',
    ]);
    expect(events.map((e) => e.type)).toEqual([
      'autolock.started',
      'autolock.attempt',
      'autolock.retry-pending',
      'autolock.fired',
      // the door closes: a new cycle due at once
      'autolock.started',
      'autolock.attempt',
      'autolock.failed',
      'autolock.attempt',
      'autolock.fired',
      'autolock.confirmed',
    ]);
    expect(lines.join('\n')).not.toContain('482913');
  });
});
