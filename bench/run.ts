import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

// `npm run bench`: runs every benchmark of this folder, one after the other, each in its own
// process (a fresh heap and event loop). Helpers start with "_"; benchmarks are never tests.
//   npm run bench -- [name…]     e.g. npm run bench -- submissions live

const dir = import.meta.dirname;
const wanted = process.argv.slice(2);
const benches = fs
  .readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.startsWith('_'))
  .filter((f) => wanted.length === 0 || wanted.includes(path.basename(f, '.ts')))
  .sort();

if (benches.length === 0) {
  console.error(`Aucun banc d’essai trouvé${wanted.length ? ` pour : ${wanted.join(', ')}` : ''}.`);
  process.exit(1);
}
let failed = 0;
for (const file of benches) {
  console.log(`\n=== ${file} ===`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', path.join(dir, file)], { stdio: 'inherit', env: process.env, cwd: path.resolve(dir, '..') });
  if (run.status !== 0) {
    failed++;
    console.error(`${file} a échoué (code ${run.status ?? run.signal}).`);
  }
}
process.exit(failed ? 1 : 0);
