import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ConfigError, loadConfig } from '../config.js';
import { backupDatabase } from './maintenance.js';

// npm run backup -- <file>: a consistent copy of the live database, even while the server runs.
const target = process.argv[2];
if (!target) {
  console.error('Usage : npm run backup -- <fichier-de-sauvegarde.db>');
  process.exit(2);
}
try {
  const config = loadConfig();
  if (!fs.existsSync(config.databasePath)) {
    console.error(`Base introuvable : ${config.databasePath}`);
    process.exit(1);
  }
  if (fs.existsSync(target)) {
    console.error(`Le fichier ${target} existe déjà : choisissez un autre nom.`);
    process.exit(1);
  }
  fs.mkdirSync(path.dirname(path.resolve(target)), { recursive: true });
  const db = new Database(config.databasePath, { fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const { totalPages } = await backupDatabase(db, target);
  db.close();
  console.log(`Sauvegarde écrite : ${target} (${totalPages} pages).`);
} catch (e) {
  console.error(e instanceof ConfigError ? e.message : `Échec de la sauvegarde : ${(e as Error).message}`);
  process.exit(1);
}
