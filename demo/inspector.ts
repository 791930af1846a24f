/**
 * Connecting the demo to the Stately inspector, failing fast and clearly without a network.
 *
 * Invariants: a connection is tried only after a TCP probe answers within `probeMs`; otherwise
 * the caller gets an error that says what could not be reached and what to do instead, and no
 * socket is left open (the inspector's own client retries forever and keeps Node alive).
 */
import { connect } from 'node:net';
import { createSkyInspector, createWebSocketInspector } from '@statelyai/inspect';
import type { RelockOptions } from '../src/index.js';

export interface DemoInspector {
  readonly inspect: NonNullable<RelockOptions['inspect']>;
  stop(): void;
}

export class InspectorUnavailableError extends Error {}

function probe(host: string, port: number, probeMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${probeMs} ms`));
    }, probeMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.end();
      resolve();
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** The Stately Sky inspector (https://stately.ai); needs the internet. */
export async function skyInspector(probeMs = 3_000): Promise<DemoInspector> {
  try {
    await probe('stately.ai', 443, probeMs);
  } catch (error) {
    throw new InspectorUnavailableError(
      `The Stately inspector needs https://stately.ai, which cannot be reached from here (${(error as Error).message}). ` +
        'Run without --inspect, or relay to a local inspector with --inspect-url ws://127.0.0.1:<port>.',
    );
  }
  const inspector = createSkyInspector({ onerror: () => {} });
  return { inspect: inspector.inspect, stop: () => inspector.stop() };
}

/** A WebSocket relay, e.g. `@statelyai/inspect`'s server or any ws server on loopback. */
export async function webSocketInspector(url: string, probeMs = 2_000): Promise<DemoInspector> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new InspectorUnavailableError(`--inspect-url must be a ws:// URL, got ${JSON.stringify(url)}`);
  }
  if (target.protocol !== 'ws:' && target.protocol !== 'wss:') {
    throw new InspectorUnavailableError(`--inspect-url must be a ws:// URL, got ${JSON.stringify(url)}`);
  }
  const port = Number(target.port || (target.protocol === 'wss:' ? 443 : 80));
  try {
    await probe(target.hostname, port, probeMs);
  } catch (error) {
    throw new InspectorUnavailableError(
      `No inspector relay answers at ${url} (${(error as Error).message}). Start one, or run without --inspect-url.`,
    );
  }
  const inspector = createWebSocketInspector({ url });
  return { inspect: inspector.inspect, stop: () => inspector.stop() };
}
