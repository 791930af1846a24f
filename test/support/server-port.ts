/**
 * A port for a test server that a test may stop and start again on the same port (a Redis or a
 * broker "restart").
 *
 * Invariants:
 * - the port is outside the kernel's ephemeral range (`ip_local_port_range`, 32768-60999 on
 *   Linux by default), so no port the kernel hands out for `listen(0)` or for an outgoing
 *   connection, in any process, can take it while its server is down between a stop and a start;
 * - it is picked at random among 20,000-32,767 and checked free by binding it once (several test
 *   files start servers at the same moment: two picking the same port is a 1-in-12,768 chance per
 *   pick, and a server that cannot bind it is started again on another);
 * - the check binds 127.0.0.1 only, as every test server does.
 */
import { createServer } from 'node:net';

const LOW = 20_000;
const HIGH = 32_767;

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** A free port below the ephemeral range, for a server that may be restarted on it. */
export async function serverPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = LOW + Math.floor(Math.random() * (HIGH - LOW + 1));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port between ${LOW} and ${HIGH} after 50 tries`);
}
