/**
 * Summarizes a CPU profile of the bench: self time by area (xstate, relock's own files, keyv,
 * sqlite3, the bench, node, garbage collection) and the functions with the most self time.
 *
 *   tsc -p tsconfig.bench.json
 *   node --expose-gc --cpu-prof --cpu-prof-dir=.tmp/prof .tmp/build/bench/bench.js --only W1 --store memory --side relock
 *   node .tmp/build/bench/profile.js .tmp/prof/<file>.cpuprofile [top=25]
 *
 * Profiles are not committed (.tmp is ignored).
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
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

const [file, topArg] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: node .tmp/build/bench/profile.js <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => {
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
});
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const idle = [...selfUs].filter(([id]) => byId.get(id)?.callFrame.functionName === '(idle)');
const busy = total - idle.reduce((a, [, us]) => a + us, 0);

const areas = new Map<string, number>();
const functions = new Map<string, number>();
for (const [id, us] of selfUs) {
  const frame = byId.get(id)?.callFrame;
  if (frame === undefined || frame.functionName === '(idle)') continue;
  const where = area(frame.url, frame.functionName);
  const relockArea = where.startsWith('relock ') ? 'relock (src)' : where;
  areas.set(relockArea, (areas.get(relockArea) ?? 0) + us);
  const name = `${frame.functionName || '(anonymous)'}  [${where}${frame.url === '' ? '' : `:${frame.lineNumber + 1}`}]`;
  functions.set(name, (functions.get(name) ?? 0) + us);
}
const pct = (us: number) => `${((100 * us) / busy).toFixed(1).padStart(5)} %`;
const ms = (us: number) => `${(us / 1000).toFixed(0).padStart(6)} ms`;
console.log(`${file}: ${(busy / 1000).toFixed(0)} ms busy of ${(total / 1000).toFixed(0)} ms sampled`);
console.log('\nself time by area:');
for (const [name, us] of [...areas].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
  console.log(`${pct(us)} ${ms(us)}  ${name}`);
}
console.log(`\ntop ${top} functions by self time:`);
for (const [name, us] of [...functions].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  console.log(`${pct(us)} ${ms(us)}  ${name}`);
}
