/**
 * The README documents every export of the package: each name `src/index.ts` exports (values and
 * types) appears in README.md as code (a code span or a code block), so a new export cannot ship
 * unexplained.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string): string => readFileSync(new URL(path, import.meta.url), 'utf8');

/** The names `src/index.ts` exports: `export { a, type B, c as d } from …`, `export type { … }`, declarations. */
function exportNames(source: string): string[] {
  const names = new Set<string>();
  const withoutComments = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
  for (const match of withoutComments.matchAll(/export\s+(?:type\s+)?\{([^}]*)\}/g)) {
    for (const part of (match[1] as string).split(',')) {
      const name = part
        .trim()
        .replace(/^type\s+/, '')
        .split(/\s+as\s+/)
        .at(-1)
        ?.trim();
      if (name) names.add(name);
    }
  }
  for (const match of withoutComments.matchAll(
    /export\s+(?:declare\s+)?(?:async\s+)?(?:const|let|function\*?|class|interface|type|enum)\s+([A-Za-z_$][\w$]*)/g,
  )) {
    names.add(match[1] as string);
  }
  return [...names].sort();
}

/** Everything the README shows as code: fenced blocks and inline code spans. */
function codeOf(markdown: string): string {
  const blocks = [...markdown.matchAll(/```[^\n]*\n([\s\S]*?)```/g)].map((m) => m[1]);
  const prose = markdown.replace(/```[^\n]*\n[\s\S]*?```/g, '');
  const spans = [...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
  return [...blocks, ...spans].join('\n');
}

describe('README documents every export', () => {
  it('reads the export names of src/index.ts (values and types, renamed ones by their public name)', () => {
    expect(
      exportNames(
        "export { a, type B, c as d } from './x.js';\nexport type { E, F } from './y.js';\nexport const g = 1;\n// export { h }",
      ),
    ).toEqual(['B', 'E', 'F', 'a', 'd', 'g']);
  });

  it('every name src/index.ts exports appears in README.md as code', () => {
    const names = exportNames(read('../../src/index.ts'));
    expect(names.length).toBeGreaterThan(40);
    const code = codeOf(read('../../README.md'));
    const missing = names.filter(
      (name) => !new RegExp(`(^|[^\\w$])${name.replace(/\$/g, '\\$')}([^\\w$]|$)`).test(code),
    );
    expect(missing).toEqual([]);
  });
});
