#!/usr/bin/env node
// The `relock-mqtt` bin. In the published package it runs the build (dist/bridges/mqtt/cli.js).
// In a clone of the repository (src/ is there, and tsx from the devDependencies) it runs the
// TypeScript source through tsx, so `npx relock-mqtt --config examples/mqtt.yaml` needs no build
// and never runs a stale one.
import { existsSync } from 'node:fs';

const source = new URL('../src/bridges/mqtt/cli.ts', import.meta.url);
let cli;
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(source.href);
} else {
  cli = await import('../dist/bridges/mqtt/cli.js');
}
process.exitCode = await cli.runCli(process.argv.slice(2));
