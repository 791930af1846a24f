/**
 * Memory that must not grow with the number of operations: a process adds and removes a lock
 * (or reloads one) many times, and its heap after a full GC stays flat. The verdict is memory, not
 * time: a slow machine only takes longer.
 */
import { spawn } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { ManualClock } from '../../src/clock/manual-clock.js';
import { createRelock } from '../../src/relock.js';
import { buildChildScript, projectRoot } from '../support/child-script.js';

let childFile: string;

beforeAll(async () => {
  childFile = await buildChildScript('test/resources/heap-child.ts');
});

/** Heap used (bytes, after a full GC) at each checkpoint of a run of `mode`. */
function heapsOf(mode: 'add-remove' | 'reload', checkpoints: number[]): Promise<Record<string, number>> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', childFile, mode, ...checkpoints.map(String)], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('exit', (code) => {
      if (code === 0) resolve(JSON.parse(stdout.trim()) as Record<string, number>);
      else reject(new Error(`the heap child exited with ${code}: ${stderr}`));
    });
  });
}

// Before the fix each add/remove cycle kept ~0.4 KB for good (8,000 cycles: ~3 MB), each reload
// ~0.2 KB (15,000 reloads: ~3 MB); after it, 100,000 cycles grow it by ~0.1 MB (`npm run bench`).
const FLAT_BYTES = 1.5e6;

describe('memory', () => {
  it('(10.19) the heap stays flat over 12,000 add/remove cycles of a lock', async () => {
    const heaps = await heapsOf('add-remove', [4_000, 12_000]);
    expect(heaps['12000'] - heaps['4000']).toBeLessThan(FLAT_BYTES);
    // about 4 s on a quiet 2-core machine; the limit only catches a hang
  }, 120_000);

  it('(10.19) the heap stays flat over 20,000 reloads of a lock', async () => {
    const heaps = await heapsOf('reload', [5_000, 20_000]);
    expect(heaps['20000'] - heaps['5000']).toBeLessThan(FLAT_BYTES);
  }, 120_000);

  it('(10.19) a retired lock or timer sends no one-off done event to a statechart', async () => {
    const toMachines = new Set<string>();
    const relock = await createRelock({
      driver: { lock: async () => {} },
      clock: new ManualClock(),
      logger: { debug() {}, info() {}, warn() {}, error() {} },
      inspect: (event: InspectionEvent) => {
        if (event.type !== '@xstate.event' || !event.event.type.startsWith('xstate.done.actor.')) return;
        // a statechart memoizes the transitions of every event type it is sent, for good
        const { logic } = event.actorRef as unknown as { logic: object };
        if ('root' in logic) toMachines.add(event.event.type);
      },
    });
    for (let i = 0; i < 50; i++) {
      await relock.addLock({ id: 'a', name: 'A' });
      await relock.updateLock({ id: 'a', name: 'A2' });
      await relock.removeLock('a');
    }
    await relock.stop();
    const oneOff = [...toMachines].filter((type) => /\.x:\d+$/.test(type));
    expect(oneOff).toEqual([]);
  });
});
