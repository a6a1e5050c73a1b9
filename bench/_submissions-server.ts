// One of the two servers of the submissions benchmark, alone in its own process as in
// production: `node --import tsx bench/_submissions-server.ts app|ceiling <dir>`. Prints one JSON
// line when listening: its address and, for the ceiling, the requests its clients send.
// Stops on SIGTERM, closing its database cleanly.
import crypto from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { createApp } from '../src/app.js';
import { buildCampaign } from '../src/campaign/campaign.js';
import { defaultConfig } from '../src/config.js';
import { openDatabase, type Db } from '../src/db/connection.js';
import { silentLogger } from '../src/http/requestLog.js';
import { sectionFieldNames } from '../src/questionnaire/engine.js';
import { loadQuestionnaire } from '../src/questionnaire/index.js';
import { validAnswers } from '../test/helpers.js';
import { formBody } from '../test/support/fetch-respondent.js';

export type BenchClient = { cookie: string; body: string };
export const CONNECTIONS = 50;

const q = loadQuestionnaire();
const SECTION_2 = q.sections[1];
const SECTION_2_FIELDS = [...sectionFieldNames(SECTION_2)];

async function listen(app: express.Express | ReturnType<typeof createApp>): Promise<{ server: Server; base: string }> {
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

// --- the real app ------------------------------------------------------------------------------

async function startApp(dir: string) {
  const db = openDatabase(path.join(dir, 'app.db'));
  const app = createApp({
    db,
    // Every simulated respondent comes from 127.0.0.1 and answers instantly: the per-address
    // completion and draft-start limits and the "too fast" flag (an extra write) are for real
    // people, not here.
    config: defaultConfig({ submitRateLimit: 0, draftStartRateLimit: 0, minSectionSeconds: 0 }),
    campaign: buildCampaign({}),
    logger: silentLogger, // the one-line-per-request log would flood the terminal
  });
  return { db, clients: [] as BenchClient[], ...(await listen(app)) };
}

// --- the ceiling -------------------------------------------------------------------------------

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');
const hourOf = (d: Date) => d.toISOString().slice(0, 13);

async function startCeiling(dir: string) {
  // Same schema and pragmas (WAL, synchronous=FULL) as the app; the HTTP side is bare.
  const db: Db = openDatabase(path.join(dir, 'ceiling.db'));
  const findDraft = db.prepare(`SELECT id FROM responses WHERE draft_token_hash = ? AND status = 'draft'`);
  const upsert = db.prepare(
    `INSERT INTO draft_sections (response_id, section_id, data) VALUES (?, ?, ?)
     ON CONFLICT (response_id, section_id) DO UPDATE SET data = excluded.data`,
  );
  const touch = db.prepare(`UPDATE responses SET updated_hour = ?, reached_section = max(reached_section, ?) WHERE id = ? AND status = 'draft'`);
  const save = db.transaction((id: string, data: string) => {
    upsert.run(id, SECTION_2.id, data);
    touch.run(hourOf(new Date()), 2, id);
  });

  const app = express();
  app.use(express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 500 }));
  app.post('/questionnaire/2', (req, res) => {
    const token = /(?:^|;\s*)avenir_brouillon=([^;]+)/.exec(req.headers.cookie ?? '')?.[1];
    const draft = token ? (findDraft.get(sha256(token)) as { id: string } | undefined) : undefined;
    if (!draft) return res.status(404).end();
    const body = req.body as Record<string, string | string[]>;
    const raw: Record<string, string | string[]> = {};
    for (const k of SECTION_2_FIELDS) if (body[k] !== undefined) raw[k] = body[k];
    save(draft.id, JSON.stringify(raw));
    res.redirect(303, '/questionnaire/3');
  });

  const insertDraft = db.prepare(
    `INSERT INTO responses (id, questionnaire_id, questionnaire_version, status, reached_section, started_hour, updated_hour, draft_token_hash)
     VALUES (?, ?, ?, 'draft', 1, ?, ?, ?)`,
  );
  // The very requests the app gets, byte for byte in size and shape: the same cookies (draft and
  // CSRF) and the same hidden fields (CSRF token, signed display time, honeypot), which the bare
  // route parses along with the answers and then ignores.
  const clients: BenchClient[] = [];
  for (let i = 0; i < CONNECTIONS; i++) {
    const token = crypto.randomBytes(32).toString('base64url');
    const csrf = crypto.randomBytes(32).toString('base64url');
    const stamp = `${Date.now()}.${crypto.randomBytes(16).toString('base64url').slice(0, 22)}`;
    insertDraft.run(crypto.randomUUID(), q.id, q.version, hourOf(new Date()), hourOf(new Date()), sha256(token));
    clients.push({
      cookie: `avenir_csrf=${csrf}; avenir_brouillon=${token}`,
      body: formBody({ _csrf: csrf, _t: stamp, website: '', action: 'next', ...validAnswers[2] }),
    });
  }
  return { db, clients, ...(await listen(app)) };
}

// Imported by submissions.ts for its constants; runs only as a program.
if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const [kind, dir] = process.argv.slice(2);
  if (kind !== 'app' && kind !== 'ceiling') throw new Error('usage : _submissions-server.ts app|ceiling <dossier>');
  const started = kind === 'app' ? await startApp(dir) : await startCeiling(dir);
  process.stdout.write(`${JSON.stringify({ base: started.base, clients: started.clients })}\n`);
  process.on('SIGTERM', () => {
    started.server.closeAllConnections();
    started.server.close(() => {
      started.db.close();
      process.exit(0);
    });
  });
}
