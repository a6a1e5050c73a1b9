import { createApp } from './app.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { openDatabase } from './db/connection.js';
import { purgeAbandonedDrafts, startFileHygiene, truncateWal } from './db/maintenance.js';
import { ensureFirstAdmin } from './staff/bootstrap.js';

// The only file that listens. Configuration errors end the process with a clear message.
let config: Config;
try {
  config = loadConfig();
} catch (e) {
  if (e instanceof ConfigError) {
    console.error(e.message);
    process.exit(1);
  }
  throw e;
}

const db = openDatabase(config.databasePath);
await ensureFirstAdmin(db, { email: config.adminEmail, password: config.adminPassword }, (m) => console.log(m));

// Abandoned drafts go after DRAFT_RETENTION_DAYS: at start, then every hour.
const purge = () => {
  try {
    const n = purgeAbandonedDrafts(db, config.draftRetentionDays);
    if (n) console.log(`${n} brouillon(s) abandonné(s) effacé(s).`);
    // Their text is zeroed in the database (secure_delete); the WAL's older copies go now.
    if (n) truncateWal(db);
  } catch (e) {
    console.error('Purge des brouillons impossible', e);
  }
};
purge();
setInterval(purge, 3600_000).unref();
// What a copy of the files can reveal stays bounded: the WAL emptied every minute, the file
// rebuilt in key order every night (README, « Ce que révèlent les fichiers »).
const hygiene = startFileHygiene(db, {
  checkpointMs: config.walCheckpointSeconds * 1000,
  compactHour: config.dbCompactHour,
  log: (m) => console.error(m),
});

const app = createApp({ db, config });
const server = app.listen(config.port, config.host, () => {
  console.log(`Mon avenir en Artois : http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}/`);
});

function shutdown() {
  server.close(() => {
    hygiene.stop();
    db.close();
    process.exit(0);
  });
  setTimeout(() => process.exit(0), 5000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
