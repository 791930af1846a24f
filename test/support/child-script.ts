/**
 * A test's child process script: a TypeScript file of the suite bundled into `.tmp/` so that
 * `node` can run it on its own (dependencies stay external, loaded from node_modules).
 *
 * Invariant: the bundle is rebuilt from the current source every time a test file asks for it.
 */
import { mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

export const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

/** Bundles `test/<path>.ts` into `.tmp/<name>.mjs` and returns the bundle's path. */
export async function buildChildScript(path: string): Promise<string> {
  mkdirSync(join(projectRoot, '.tmp'), { recursive: true });
  const outfile = join(projectRoot, '.tmp', `${basename(path, '.ts')}.mjs`);
  await build({
    entryPoints: [join(projectRoot, path)],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'silent',
  });
  return outfile;
}
