/** The statuses addLocks resolves with are derived when read, once each, and behave as an array. */
import { describe, expect, it } from 'vitest';
import { lazyStatuses } from '../../src/status/lazy-statuses.js';
import type { LockStatus } from '../../src/status/lock-status.js';

const fake = (id: string) => ({ id }) as unknown as LockStatus;

describe('lazyStatuses', () => {
  it('derives no status until one is read, and each at most once', () => {
    const reads: string[] = [];
    const statuses = lazyStatuses(['a', 'b', 'c'], (id) => {
      reads.push(id);
      return fake(id);
    });
    expect(reads).toEqual([]);
    expect(statuses).toHaveLength(3);
    expect(Array.isArray(statuses)).toBe(true);
    const [, second] = statuses;
    expect(reads).toEqual(['a', 'b']);
    expect(statuses[1]).toBe(second);
    expect(statuses.map((status) => status.id)).toEqual(['a', 'b', 'c']);
    expect(reads).toEqual(['a', 'b', 'c']);
    expect(JSON.parse(JSON.stringify(statuses))).toEqual([{ id: 'a' }, { id: 'b' }, { id: 'c' }]);
  });
});
