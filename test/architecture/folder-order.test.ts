/**
 * The folders of src/ keep their order: a folder imports only from folders below it (or its own),
 * so the contracts (persistence, machines) never depend on the actors that use them.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = new URL('../../src/', import.meta.url).pathname;
/** Lower first; a folder may import from any folder of a lower rank. */
const RANK: Record<string, number> = {
  clock: 0,
  model: 0,
  ports: 1,
  persistence: 1,
  machines: 2,
  status: 3,
  actors: 4,
  testing: 5,
  cluster: 5,
  bridges: 6,
};

function importsOf(folder: string): Array<{ file: string; target: string }> {
  return readdirSync(join(SRC, folder))
    .filter((name) => name.endsWith('.ts'))
    .flatMap((file) =>
      [...readFileSync(join(SRC, folder, file), 'utf8').matchAll(/from '\.\.\/([a-z-]+)\//g)].map((match) => ({
        file: `${folder}/${file}`,
        target: match[1] as string,
      })),
    );
}

describe('folder order', () => {
  it('every folder of src/ has a rank', () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders.filter((folder) => RANK[folder] === undefined)).toEqual([]);
  });

  it('no folder imports from a folder above it or beside it (machines below actors, persistence below both)', () => {
    const upward = Object.keys(RANK).flatMap((folder) =>
      importsOf(folder)
        .filter(({ target }) => target !== folder && (RANK[target] ?? 99) >= (RANK[folder] as number))
        .map(({ file, target }) => `${file} imports from ${target}/`),
    );
    expect(upward).toEqual([]);
  });
});
