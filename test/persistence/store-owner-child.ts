/**
 * A relock system in its own process, on the system clock, holding a `sqlite://` file until the
 * parent writes `stop` on stdin; then it stops and must exit by itself (nothing keeps it alive).
 * It prints `ready` once started and `stopped` once `stop()` resolved.
 *
 * argv: <sqlite file>
 */
import { createRelock } from '../../src/relock.js';

const [file] = process.argv.slice(2);
const relock = await createRelock({
  store: `sqlite://${file}`,
  logger: { debug() {}, info() {}, warn() {}, error() {} },
  driver: { async lock() {} },
});
await relock.addLock({ id: 'front', name: 'Front', autolock: { enabled: true, dayMinutes: 5 } });
process.stdout.write('ready\n');
process.stdin.on('data', async (chunk: Buffer) => {
  if (!chunk.toString().includes('stop')) return;
  process.stdin.destroy();
  await relock.stop();
  process.stdout.write('stopped\n');
});
