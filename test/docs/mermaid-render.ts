/**
 * Renders Mermaid diagrams in a headless Chromium, all in one browser and one page (Mermaid is
 * loaded once), with the Mermaid that `@mermaid-js/mermaid-cli` renders with, and measures what
 * a reader sees: the natural width, the text of every label, and which labels overlap.
 *
 * Chromium is not downloaded (`.ci/run` installs Debian's `chromium`); `findRenderer` says what
 * is missing when it cannot render.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

export interface RenderedDiagram {
  /** Mermaid's error, if it could not parse or lay out the diagram. */
  readonly error?: string;
  /** The width and height Mermaid gave the SVG (its viewBox), in CSS pixels at full size. */
  readonly width: number;
  readonly height: number;
  /** Every text of the drawing: state names and arrow labels. */
  readonly texts: readonly string[];
  /** Pairs of texts whose boxes overlap (by more than a pixel or two), drawn over each other. */
  readonly overlaps: ReadonlyArray<readonly [string, string]>;
}

const CHROMIUM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
/** The flags the issue's recipe gives, for a root user in a container. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

const cliRequire = (): NodeJS.Require => {
  const require = createRequire(import.meta.url);
  return createRequire(require.resolve('@mermaid-js/mermaid-cli'));
};

/** The browser and Mermaid bundle to render with, or what is missing. */
export function findRenderer(): { chromium: string; mermaid: string; puppeteer: string } | { missing: string } {
  const fromEnv = process.env.PUPPETEER_EXECUTABLE_PATH;
  const chromium = fromEnv && existsSync(fromEnv) ? fromEnv : CHROMIUM_PATHS.find((path) => existsSync(path));
  if (!chromium) {
    return {
      missing:
        `no Chromium at ${fromEnv ? `PUPPETEER_EXECUTABLE_PATH=${fromEnv} nor ` : ''}${CHROMIUM_PATHS.join(', ')} ` +
        '(Debian: apt-get install chromium; or set PUPPETEER_EXECUTABLE_PATH)',
    };
  }
  try {
    const require = cliRequire();
    return {
      chromium,
      mermaid: require.resolve('mermaid/dist/mermaid.min.js'),
      puppeteer: require.resolve('puppeteer'),
    };
  } catch (error) {
    return { missing: `@mermaid-js/mermaid-cli, mermaid or puppeteer is not installed (${(error as Error).message})` };
  }
}

/**
 * What runs in the page, as text (it would need the DOM's types, and a transpiler may wrap its
 * functions in helpers the page lacks): renders each definition with Mermaid's defaults (as
 * GitHub does), then measures the SVG's natural size, its texts, and which of its state boxes and
 * arrow labels overlap each other (composite states, `statediagram-cluster`, contain others).
 */
const PAGE_SCRIPT = `async (all) => {
  mermaid.initialize({ startOnLoad: false, theme: 'default' });
  const results = [];
  for (const [i, definition] of all.entries()) {
    try {
      await mermaid.parse(definition);
      const { svg } = await mermaid.render('diagram' + i, definition);
      const holder = document.createElement('div');
      holder.innerHTML = svg;
      document.body.appendChild(holder);
      const element = holder.querySelector('svg');
      const box = element.viewBox.baseVal;
      const boxes = [...element.querySelectorAll('g.edgeLabel, g.node')]
        .map((g) => ({ text: (g.textContent || '').trim(), rect: g.getBoundingClientRect() }))
        .filter(({ text, rect }) => text && rect.width > 0 && rect.height > 0);
      const overlaps = [];
      boxes.forEach((first, a) => {
        for (const second of boxes.slice(a + 1)) {
          const dx = Math.min(first.rect.right, second.rect.right) - Math.max(first.rect.left, second.rect.left);
          const dy = Math.min(first.rect.bottom, second.rect.bottom) - Math.max(first.rect.top, second.rect.top);
          if (dx > 2 && dy > 2) overlaps.push([first.text, second.text]);
        }
      });
      const texts = [...element.querySelectorAll('text, foreignObject')]
        .map((node) => (node.textContent || '').trim())
        .filter(Boolean);
      results.push({ width: box.width, height: box.height, texts, overlaps });
      holder.remove();
    } catch (error) {
      results.push({ error: String((error && error.message) || error), width: 0, height: 0, texts: [], overlaps: [] });
    }
  }
  return results;
}`;

/** Renders every diagram in one browser launch; the results are in the order given. */
export async function renderDiagrams(
  renderer: { chromium: string; mermaid: string; puppeteer: string },
  definitions: readonly string[],
): Promise<RenderedDiagram[]> {
  const { default: puppeteer } = (await import(pathToFileURL(renderer.puppeteer).href)) as {
    default: typeof import('puppeteer').default;
  };
  const browser = await puppeteer.launch({ executablePath: renderer.chromium, headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    // wider than any diagram, so each is laid out and measured at its full size
    await page.setViewport({ width: 4000, height: 2000 });
    await page.addScriptTag({ path: renderer.mermaid });
    return (await page.evaluate(`(${PAGE_SCRIPT})(${JSON.stringify(definitions)})`)) as RenderedDiagram[];
  } finally {
    await browser.close();
  }
}

/** The ```mermaid blocks of a Markdown text, each named by the heading above it. */
export function mermaidBlocks(markdown: string): Array<{ name: string; definition: string }> {
  const blocks: Array<{ name: string; definition: string }> = [];
  const headings: string[] = [];
  let heading = '(top)';
  const pattern = /^(#{1,6}) (.*)$|^```mermaid\n([\s\S]*?)^```$/gm;
  for (const match of markdown.matchAll(pattern)) {
    if (match[1]) {
      headings.length = match[1].length - 1;
      headings[match[1].length - 1] = match[2].replace(/ \(`[^`]*`\)$/, ''); // `Lock (`src/…`)`: Lock
      heading = headings.filter(Boolean).slice(1).join(' › ') || match[2];
    } else blocks.push({ name: heading, definition: match[3] });
  }
  return blocks;
}
