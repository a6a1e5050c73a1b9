import path from 'node:path';
import { loadConfig } from '../config.js';
import { openDatabase } from '../db/connection.js';
import { generateDemo, removeDemo } from './demo.js';
import { fr } from '../strings.js';

// npm run demo              → adds about 1,000 synthetic completed responses (and some drafts)
// npm run demo -- --remove  → removes every demo response, and only those
// Options: --count=N, --seed=N. The database is DATABASE_PATH, read by loadConfig exactly as the
// server reads it: give both the same value. The path filled is printed (absolute), so a demo
// written into the wrong database is seen at once.

function option(name: string): number | undefined {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (!arg) return undefined;
  const n = Number(arg.slice(name.length + 3));
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} : nombre entier positif attendu`);
  return n;
}

function main() {
  const config = loadConfig();
  const file = config.databasePath === ':memory:' ? ':memory:' : path.resolve(config.databasePath);
  const db = openDatabase(config.databasePath);
  const t = fr.resultsEngine.demo;
  try {
    if (process.argv.includes('--remove')) {
      console.log(t.removed(removeDemo(db)));
    } else {
      const { completed, drafts } = generateDemo(db, { count: option('count') ?? 1000, seed: option('seed') ?? Date.now() % 2 ** 31 });
      console.log(t.added(completed));
      console.log(t.drafts(drafts));
    }
    console.log(t.database(file));
    console.log(t.sameDatabase);
  } finally {
    db.close();
  }
}

try {
  main();
} catch (e) {
  console.error(e instanceof Error ? e.message : e);
  process.exitCode = 1;
}
