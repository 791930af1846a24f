import { once } from 'node:events';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { HELP, runDemo } from '../../demo/house.js';

const closed: Array<() => void> = [];
afterAll(() => {
  for (const close of closed) close();
});

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

describe('npm start (the demo)', () => {
  it('--help explains the flags', async () => {
    const lines: string[] = [];
    expect(await runDemo(['--help'], (line) => lines.push(line))).toBe(0);
    expect(lines.join('\n')).toBe(HELP);
    expect(HELP).toMatch(/--store <url>[\s\S]*--memory[\s\S]*--inspect[\s\S]*--inspect-url/);
  });

  it('tells the whole story and ends by itself', async () => {
    const lines: string[] = [];
    expect(await runDemo(['--memory'], (line) => lines.push(line))).toBe(0);
    const text = lines.join('\n');
    for (const part of [
      'front: autolock armed for 5 min',
      'front: autolock fired (retry-pending)',
      'notify front_door__front_autolock_door_closed',
      'garage: autolock FAILED: Garage controller is offline',
      'notify garage_autolock_failed',
      'relock restarted',
      'driver: locking Garage',
      'back: autolock armed for 2 min',
    ]) {
      expect(text).toContain(part);
    }
    expect(text).not.toContain('271828');
  });

  it('an unknown flag or store is refused with the help, not a stack trace', async () => {
    const lines: string[] = [];
    expect(await runDemo(['--bogus'], (line) => lines.push(line))).toBe(2);
    expect(lines.join('\n')).toContain('Usage: npm start');
    expect(await runDemo(['--store', 'redis://x'], (line) => lines.push(line))).toBe(2);
  });

  it('--inspect-url with nothing listening fails at once with a clear message', async () => {
    const lines: string[] = [];
    const port = await freePort();
    expect(await runDemo(['--memory', '--inspect-url', `ws://127.0.0.1:${port}`], (line) => lines.push(line))).toBe(1);
    expect(lines.join('\n')).toMatch(/No inspector relay answers at ws:\/\/127\.0\.0\.1:\d+/);
  });

  it('--inspect-url streams the actor system to a relay on loopback, with PINs hidden', async () => {
    const port = await freePort();
    const relay = new WebSocketServer({ host: '127.0.0.1', port });
    closed.push(() => relay.close());
    const received: string[] = [];
    relay.on('connection', (socket) => socket.on('message', (data) => received.push(String(data))));
    const lines: string[] = [];
    expect(await runDemo(['--memory', '--inspect-url', `ws://127.0.0.1:${port}`], (line) => lines.push(line))).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const all = received.join('\n');
    expect(all).toContain('lock:front');
    expect(all).toContain('timer:garage');
    expect(all).not.toContain('271828');
  });
});
