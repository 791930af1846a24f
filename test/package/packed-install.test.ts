/**
 * The package a host installs: `npm pack` the project, unpack the tarball into a scratch host's
 * `node_modules/relock`, give the host exactly the packed package's declared runtime dependencies
 * (linked from this project's own `node_modules`, installed by `npm ci`), and run the README's
 * quick start against it, importing `relock` by name.
 *
 * Nothing here depends on the npm cache or the registry: `npm install --offline` of a tarball
 * needs registry metadata that `npm ci` never caches, so it passes only on a machine where
 * someone once ran `npm install` by hand. A runtime import of a package that is not declared in
 * `dependencies` still fails here: the unpacked package is a real folder, so Node resolves its
 * imports in the host's `node_modules`, which holds only the declared dependencies.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { transform } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), 'relock-host-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const run = (command: string, args: string[], cwd: string): string =>
  execFileSync(command, args, {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });

describe('the packed package', () => {
  it('installs from its tarball and runs the README quick start', async () => {
    run('npm', ['pack', '--pack-destination', scratch, '--silent'], root);
    const tarball = readdirSync(scratch).find((name) => name.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const listing = run('tar', ['-tzf', join(scratch, tarball as string)], scratch);
    expect(listing).toContain('package/dist/index.js');
    expect(listing).toContain('package/dist/index.d.ts');
    expect(listing).not.toContain('package/src/');
    expect(listing).not.toContain('package/test/');

    // the package's metadata and its types resolve as a host's tools expect
    expect(run('npx', ['publint'], root)).toContain('All good');
    run('npx', ['attw', join(scratch, tarball as string), '--profile', 'esm-only'], root);

    writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'host', private: true, type: 'module' }));
    const installed = join(scratch, 'node_modules', 'relock');
    mkdirSync(installed, { recursive: true });
    run('tar', ['-xzf', join(scratch, tarball as string), '-C', installed, '--strip-components=1'], scratch);
    const packed = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    const dependencies = Object.keys(packed.dependencies ?? {});
    expect(dependencies).toContain('xstate');
    for (const name of dependencies) {
      const link = join(scratch, 'node_modules', name);
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(join(root, 'node_modules', name), link, 'dir');
    }
    const example = readFileSync(join(root, 'examples/quick-start.ts'), 'utf8').replace(
      "from '../src/index.js'",
      "from 'relock'",
    );
    const { code } = await transform(example, { loader: 'ts', format: 'esm', target: 'node20' });
    writeFileSync(join(scratch, 'quick-start.mjs'), code);
    const output = run(process.execPath, ['quick-start.mjs'], scratch);
    expect(output).toContain('autolock in 300 s, at 2026-06-01T12:05:00.000Z');
    expect(output).toContain('driver: locking Front Door');
    expect(output).toContain('"lockState":"locked"');
  }, 120_000);
});
