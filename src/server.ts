import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { openDatabase } from './db/connection.js';

// The only file that listens. Configuration errors end the process with a clear message.
let config;
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
const app = createApp({ db, config });
const server = app.listen(config.port, config.host, () => {
  console.log(`Mon avenir en Artois : http://${config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}/`);
});

function shutdown() {
  server.close(() => {
    db.close();
    process.exit(0);
  });
  setTimeout(() => process.exit(0), 5000).unref();
}
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
