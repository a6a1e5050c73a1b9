import { loadConfig } from '../config.js';
import { openDatabase } from '../db/connection.js';
import { generateDemo, removeDemo } from './demo.js';
import { frResults } from './strings.js';

// npm run demo              → adds about 1,000 synthetic completed responses (and some drafts)
// npm run demo -- --remove  → removes every demo response, and only those
// Options: --count=N, --seed=N. The database is DATABASE_PATH, as for the server.

function option(name: string): number | undefined {
  const arg = process.argv.find((a) => a.startsWith(`--${name}=`));
  if (!arg) return undefined;
  const n = Number(arg.slice(name.length + 3));
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} : nombre entier positif attendu`);
  return n;
}

function main() {
  const config = loadConfig();
  const db = openDatabase(config.databasePath);
  try {
    if (process.argv.includes('--remove')) {
      console.log(frResults.demo.removed(removeDemo(db)));
    } else {
      const { completed } = generateDemo(db, { count: option('count') ?? 1000, seed: option('seed') ?? Date.now() % 2 ** 31 });
      console.log(frResults.demo.added(completed));
    }
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
