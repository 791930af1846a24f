#!/usr/bin/env node
// The `relock-mqtt` bin. In the published package it runs the build (dist/bridges/mqtt/cli.js).
// In a clone of the repository (src/ is there, and tsx from the devDependencies) it runs the
// TypeScript source through tsx, so `npx relock-mqtt --config examples/mqtt.yaml` needs no build
// and never runs a stale one.
import { existsSync } from 'node:fs';

const source = new URL('../src/bridges/mqtt/cli.ts', import.meta.url);
async function fromSource() {
  if (!existsSync(source)) return undefined;
  let tsx;
  try {
    tsx = await import('tsx/esm/api');
  } catch {
    return undefined; // a clone installed without devDependencies: the build it is
  }
  tsx.register();
  return import(source.href);
}
const cli = (await fromSource()) ?? (await import('../dist/bridges/mqtt/cli.js'));
process.exitCode = await cli.runCli(process.argv.slice(2));
