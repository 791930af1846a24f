/**
 * Every Mermaid diagram of the docs renders, and reads: Mermaid (the version mermaid-cli uses)
 * parses and lays out each block of docs/statecharts.md and of README.md in a headless Chromium,
 * in one browser launch; each must stay narrow enough to read where GitHub shows it, show no
 * internal id, and draw no text over another.
 *
 * Without a Chromium this file skips, saying what is missing; in CI (`CI` set) that is a failure,
 * since `.ci/run` installs one.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findRenderer, mermaidBlocks, type RenderedDiagram, renderDiagrams } from './mermaid-render.js';

/**
 * GitHub shows a diagram scaled down to its text column, about 880 px wide (a README) to 980 px
 * (a file): at most 1,200 px wide, a diagram's 16 px labels stay at 12 px or more there.
 */
const MAX_WIDTH = 1200;
/** Labels that name XState's internals rather than the machine: `xstate.done.actor.0.coordinator.stopping`. */
const INTERNAL_ID = /xstate\.|(^|[^\w.])\d+\.[a-z]|\b[sx]_[a-z]\w*|any_state/i;

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const diagrams = [
  ...mermaidBlocks(read('docs/statecharts.md')).map((block) => ({ ...block, name: `statecharts.md: ${block.name}` })),
  ...mermaidBlocks(read('README.md')).map((block) => ({ ...block, name: `README.md: ${block.name}` })),
];

const renderer = findRenderer();
const missing = 'missing' in renderer ? renderer.missing : undefined;
if (missing && !process.env.CI) {
  console.warn(`test/docs/mermaid-render.test.ts: skipped, ${missing}`);
}

describe('the statechart diagrams render and read well', () => {
  let rendered: RenderedDiagram[] = [];
  let started = 0;

  beforeAll(async () => {
    if ('missing' in renderer) return;
    started = Date.now();
    rendered = await renderDiagrams(
      renderer,
      diagrams.map((diagram) => diagram.definition),
    );
  });
  afterAll(() => {
    if (started) console.info(`rendered ${diagrams.length} Mermaid diagrams in ${Date.now() - started} ms`);
  });

  it('finds the diagrams, and a renderer (in CI, where .ci/run installs Chromium)', (context) => {
    expect(diagrams.length).toBeGreaterThanOrEqual(10);
    expect(diagrams.filter((diagram) => diagram.name.startsWith('README.md')).length).toBeGreaterThanOrEqual(1);
    if (missing && process.env.CI) throw new Error(`CI has no Mermaid renderer: ${missing}`);
    if (missing) context.skip(missing);
  });

  for (const [index, { name, definition }] of diagrams.entries()) {
    describe(name, () => {
      const result = () => rendered[index] as RenderedDiagram;

      it('parses and renders', (context) => {
        if (missing) context.skip(missing);
        expect(result().error, definition).toBeUndefined();
        expect(result().width).toBeGreaterThan(0);
      });

      it(`is at most ${MAX_WIDTH} px wide, with no internal id and no text drawn over another`, (context) => {
        if (missing) context.skip(missing);
        const { width, texts, overlaps } = result();
        expect(width).toBeLessThanOrEqual(MAX_WIDTH);
        expect(texts.filter((text) => INTERNAL_ID.test(text))).toEqual([]);
        expect(overlaps).toEqual([]);
      });
    });
  }
});
