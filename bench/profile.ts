/**
 * Summarizes a profile of the bench by area (xstate, relock's own files, keyv, sqlite3, the
 * bench, node, garbage collection) and by function: a CPU profile by self time, a sampling heap
 * profile (W4's `--heap-sample`) by the bytes still live that each function allocated.
 *
 *   tsc -p tsconfig.bench.json
 *   node --expose-gc --cpu-prof --cpu-prof-dir=.tmp/prof .tmp/build/bench/bench.js --only W1 --windows .tmp/prof/windows.json
 *   node .tmp/build/bench/profile.js .tmp/prof/<file>.cpuprofile [top=25] --windows .tmp/prof/windows.json --window W1-memory-relock
 *   node --expose-gc .tmp/build/bench/bench.js --only W4 --side relock --heap-sample .tmp/w4.heapprofile
 *   node .tmp/build/bench/profile.js .tmp/w4.heapprofile [top=25]
 *
 * Profiles are not committed (.tmp is ignored).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}
interface HeapNode {
  callFrame: ProfileNode['callFrame'];
  selfSize: number;
  children: HeapNode[];
}

function area(url: string, name: string): string {
  if (url === '') return name.startsWith('(') ? name : '(native)';
  if (url.includes('/node_modules/xstate/')) return 'xstate';
  if (url.includes('/node_modules/@xstate/store/')) return '@xstate/store';
  if (url.includes('/node_modules/@keyv/sqlite/')) return '@keyv/sqlite';
  if (url.includes('/node_modules/keyv/') || url.includes('/node_modules/@keyv/serialize/')) return 'keyv';
  if (url.includes('/node_modules/sqlite3/')) return 'sqlite3';
  if (url.includes('/node_modules/')) return url.replace(/.*\/node_modules\/((@[^/]+\/)?[^/]+).*/, '$1');
  const src = url.match(/\/build\/src\/(.*)\.js$/);
  if (src) return `relock ${src[1]}`;
  if (url.includes('/build/bench/')) return 'bench';
  if (url.startsWith('node:')) return 'node';
  return url;
}

const args = process.argv.slice(2);
const windowAt = args.indexOf('--window');
const windowLabel = windowAt === -1 ? undefined : args[windowAt + 1];
const windowsFile = args.indexOf('--windows') === -1 ? undefined : args[args.indexOf('--windows') + 1];
const [file, topArg] = args.filter((arg, i) => !arg.startsWith('--') && !args[i - 1]?.startsWith('--'));
if (file === undefined) {
  console.error(
    'usage: node .tmp/build/bench/profile.js <file.cpuprofile|file.heapprofile> [top] [--windows FILE --window LABEL]',
  );
  process.exit(2);
}
const top = Number(topArg ?? 25);
/** The timed part to keep (a CPU profile's samples outside it are dropped). */
let window: { startUs: number; endUs: number } | undefined;
if (windowLabel !== undefined) {
  const all = JSON.parse(readFileSync(windowsFile ?? '', 'utf8')) as Array<{
    label: string;
    startUs: number;
    endUs: number;
  }>;
  // the last one of that label: a scale child warms up under the same label first
  window = all.filter((w) => w.label === windowLabel).at(-1);
  if (window === undefined) throw new Error(`no window ${windowLabel} in ${windowsFile}`);
}
const parsed = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile | { head: HeapNode };

/** Self cost (µs of CPU, or bytes live) per call frame. */
const costs: Array<{ frame: ProfileNode['callFrame']; cost: number }> = [];
let unit: 'cpu' | 'heap';
if ('head' in parsed) {
  unit = 'heap';
  const walk = (node: HeapNode) => {
    if (node.selfSize > 0) costs.push({ frame: node.callFrame, cost: node.selfSize });
    for (const child of node.children) walk(child);
  };
  walk(parsed.head);
} else {
  unit = 'cpu';
  const byId = new Map(parsed.nodes.map((node) => [node.id, node]));
  const selfUs = new Map<number, number>();
  let at = parsed.startTime;
  parsed.samples.forEach((id, i) => {
    const delta = parsed.timeDeltas[i] ?? 0;
    at += delta;
    if (window !== undefined && (at < window.startUs || at > window.endUs)) return;
    selfUs.set(id, (selfUs.get(id) ?? 0) + delta);
  });
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (frame !== undefined) costs.push({ frame, cost: us });
  }
}
const total = costs.reduce((sum, { cost }) => sum + cost, 0);
const busy = costs.filter(({ frame }) => frame.functionName !== '(idle)').reduce((sum, { cost }) => sum + cost, 0);

const areas = new Map<string, number>();
const functions = new Map<string, number>();
for (const { frame, cost } of costs) {
  if (frame.functionName === '(idle)') continue;
  const where = area(frame.url, frame.functionName);
  const relockArea = where.startsWith('relock ') ? 'relock (src)' : where;
  areas.set(relockArea, (areas.get(relockArea) ?? 0) + cost);
  const name = `${frame.functionName || '(anonymous)'}  [${where}${frame.url === '' ? '' : `:${frame.lineNumber + 1}`}]`;
  functions.set(name, (functions.get(name) ?? 0) + cost);
}
const pct = (cost: number) => `${((100 * cost) / busy).toFixed(1).padStart(5)} %`;
const amount = (cost: number) =>
  unit === 'cpu' ? `${(cost / 1000).toFixed(0).padStart(6)} ms` : `${(cost / 1e6).toFixed(1).padStart(6)} MB`;
console.log(
  unit === 'cpu'
    ? `${file}${windowLabel === undefined ? '' : ` (${windowLabel})`}: ${(busy / 1000).toFixed(0)} ms busy of ${(total / 1000).toFixed(0)} ms sampled`
    : `${file}: ${(total / 1e6).toFixed(1)} MB live (sampled allocations)`,
);
console.log(`\n${unit === 'cpu' ? 'self time' : 'live bytes'} by area:`);
for (const [name, cost] of [...areas].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
  console.log(`${pct(cost)} ${amount(cost)}  ${name}`);
}
console.log(`\ntop ${top} functions by ${unit === 'cpu' ? 'self time' : 'live bytes allocated'}:`);
for (const [name, cost] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${pct(cost)} ${amount(cost)}  ${name}`);
}
