/**
 * The package a host installs: `npm pack` the project once, unpack the tarball into two scratch
 * hosts' `node_modules/relock` (an ESM host and a CommonJS host), give each exactly the packed
 * package's declared runtime dependencies (linked from this project's own `node_modules`,
 * installed by `npm ci`), and run the README's quick start in both, reaching `relock` by name:
 * `import` in the ESM host, `require` in the CommonJS host (Node ≥ 20.19 loads an ES module
 * through `require` when its graph has no top-level await; the exports map's `default` condition
 * lets it). The quick start is `examples/quick-start.ts`, transformed, not a copy.
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
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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

/** The quick start as a host writes it: `relock` by name. `selfRun: false` drops its ESM-only last line. */
function quickStartSource(selfRun: boolean): string {
  const source = readFileSync(join(root, 'examples/quick-start.ts'), 'utf8').replace(
    "from '../src/index.js'",
    "from 'relock'",
  );
  if (selfRun) return source;
  // a CommonJS module has neither `import.meta` nor top-level await: the host's main calls it
  const selfRunLine = /^if \(import\.meta\.url === .*\) await quickStart\(\);$/m;
  expect(source).toMatch(selfRunLine);
  return source.replace(selfRunLine, '');
}

/** What the quick start prints when it ran to its end against the packed package. */
function expectQuickStartRan(output: string): void {
  expect(output).toContain('autolock in 300 s, at 2026-06-01T12:05:00.000Z');
  expect(output).toContain('driver: locking Front Door');
  expect(output).toContain('"lockState":"locked"');
}

let tarball = '';

/** A scratch host of the given module type with the tarball unpacked and relock's dependencies linked. */
function host(name: string, type: 'module' | 'commonjs'): string {
  const dir = join(scratch, name);
  const installed = join(dir, 'node_modules', 'relock');
  mkdirSync(installed, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: `host-${name}`, private: true, type }));
  run('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1'], dir);
  const packed = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string>;
  };
  const dependencies = Object.keys(packed.dependencies ?? {});
  expect(dependencies).toContain('xstate');
  for (const dependency of dependencies) {
    const link = join(dir, 'node_modules', dependency);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(root, 'node_modules', dependency), link, 'dir');
  }
  return dir;
}

describe('the packed package', () => {
  let esmHost = '';
  let cjsHost = '';

  beforeAll(() => {
    run('npm', ['pack', '--pack-destination', scratch, '--silent'], root);
    const name = readdirSync(scratch).find((file) => file.endsWith('.tgz'));
    expect(name).toBeDefined();
    tarball = join(scratch, name as string);
    esmHost = host('esm', 'module');
    cjsHost = host('cjs', 'commonjs');
  }, 120_000);

  it('holds the built code, its types and the MIT LICENSE, and nothing of src/ or test/', () => {
    const listing = run('tar', ['-tzf', tarball], scratch);
    expect(listing).toContain('package/dist/index.js');
    expect(listing).toContain('package/dist/index.d.ts');
    expect(listing).toContain('package/LICENSE');
    expect(listing).not.toContain('package/src/');
    expect(listing).not.toContain('package/test/');

    const license = readFileSync(join(esmHost, 'node_modules/relock/LICENSE'), 'utf8');
    expect(license).toBe(readFileSync(join(root, 'LICENSE'), 'utf8'));
    expect(license).toMatch(/^MIT License\n\nCopyright \(c\) 2026 relock contributors\n/);
    const manifest = JSON.parse(readFileSync(join(esmHost, 'node_modules/relock/package.json'), 'utf8')) as {
      license: string;
    };
    expect(manifest.license).toBe('MIT');
  });

  it('passes publint, and attw for ESM and CommonJS hosts (but for its Node 16 rule that require() cannot load ESM)', () => {
    expect(run('npx', ['publint'], root)).toContain('All good');
    // attw models Node 16, where require() of an ES module fails; Node ≥ 20.19 loads it (tested below)
    run('npx', ['attw', tarball, '--profile', 'node16', '--ignore-rules', 'cjs-resolves-to-esm'], root);
  }, 60_000);

  it('an ESM host imports relock by name and runs the README quick start', async () => {
    const { code } = await transform(quickStartSource(true), { loader: 'ts', format: 'esm', target: 'node20' });
    writeFileSync(join(esmHost, 'quick-start.mjs'), code);
    expectQuickStartRan(run(process.execPath, ['quick-start.mjs'], esmHost));
  }, 30_000);

  it('a CommonJS host requires relock by name, gets every export an ESM host gets, and runs the README quick start', async () => {
    const { code } = await transform(quickStartSource(false), { loader: 'ts', format: 'cjs', target: 'node20' });
    expect(code).toContain('require("relock")');
    writeFileSync(join(cjsHost, 'quick-start.js'), code);
    writeFileSync(
      join(cjsHost, 'main.js'),
      [
        "const relock = require('relock');",
        "console.log('exports: ' + Object.keys(relock).sort().join(','));",
        "require('./quick-start.js').quickStart().catch((error) => { console.error(error); process.exitCode = 1; });",
      ].join('\n'),
    );
    const output = run(process.execPath, ['main.js'], cjsHost);
    expectQuickStartRan(output);

    const listExports = "import * as relock from 'relock'; console.log(Object.keys(relock).sort().join(','));";
    const esmExports = run(process.execPath, ['--input-type=module', '-e', listExports], esmHost).trim();
    expect(esmExports.split(',')).toEqual(expect.arrayContaining(['createRelock', 'ManualClock', 'pinoLogger']));
    expect(output).toContain(`exports: ${esmExports}\n`);
  }, 30_000);

  it("a CommonJS TypeScript host type-checks the quick start against relock's types", () => {
    const types = join(cjsHost, 'node_modules/@types/node');
    mkdirSync(dirname(types), { recursive: true });
    symlinkSync(join(root, 'node_modules/@types/node'), types, 'dir');
    writeFileSync(join(cjsHost, 'quick-start.ts'), quickStartSource(false));
    // fails if relock's types did not resolve (an `any` would make the expected error unused)
    writeFileSync(
      join(cjsHost, 'typed.ts'),
      "import { createRelock } from 'relock';\n// @ts-expect-error: a driver is required\nvoid createRelock({});\n",
    );
    writeFileSync(
      join(cjsHost, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2022',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
        },
        files: ['quick-start.ts', 'typed.ts'],
      }),
    );
    run(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', '.'], cjsHost);
  }, 60_000);
});
