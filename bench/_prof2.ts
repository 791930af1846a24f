import { performance } from 'node:perf_hooks';
import { ManualClock } from '../src/clock/manual-clock.js';
import { createRelock } from '../src/relock.js';
const relock = await createRelock({ driver: { lock: async () => {} }, clock: new ManualClock(), logger: { debug() {}, info() {}, warn() {}, error() {} } });
const n = Number(process.argv[2] ?? 10000);
const t = performance.now();
await Promise.all(Array.from({ length: n }, (_, i) => relock.addLock({ id: `l${i}`, name: `L ${i}`, autolock: { enabled: true }, codeSlots: [{ number: 1, pin: '123456' }] })));
await relock.flush();
console.log('concurrent', n, (performance.now() - t).toFixed(0));
