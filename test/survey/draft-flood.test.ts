import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db/connection.js';
import { truncateWal } from '../../src/db/maintenance.js';
import { loadQuestionnaire } from '../../src/questionnaire/index.js';
import { OTHER_MAX_LENGTH } from '../../src/questionnaire/types/choice.js';
import { draftChars, otherFieldName } from '../../src/questionnaire/types/common.js';
import { completionFunnel } from '../../src/results/aggregate.js';
import { fr } from '../../src/strings.js';
import { completeSurvey, countRows, csrfFrom, formBody, makeApp, Respondent, validAnswers } from '../helpers.js';

// Issue 9, part 3, as the attack was made: one address POSTs section 1 a thousand times, each time
// without the draft cookie (so each POST starts a new draft) and with a 60 KB field.

const q = loadQuestionnaire();
const PRECISION = otherFieldName('situation', 'autre');
const HUGE = 'x'.repeat(60_000);
const started = (db: Db) => completionFunnel(db, q).find((s) => s.key === 'started')!.count;

/** Database file plus WAL, once the WAL has been moved into the file (what a copy weighs). */
function weight(db: Db, file: string): number {
  expect(truncateWal(db)).toBe(true);
  return fs.statSync(file).size + (fs.existsSync(`${file}-wal`) ? fs.statSync(`${file}-wal`).size : 0);
}

/** A script's view of section 1: the CSRF cookie and token of one GET, reused for every POST. */
async function scriptedForm(app: Parameters<typeof request>[0], forwardedFor?: string) {
  const get = request(app).get('/questionnaire/1');
  if (forwardedFor) get.set('X-Forwarded-For', forwardedFor);
  const page = await get;
  const csrfCookie = (page.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('avenir_csrf='))!.split(';')[0];
  const stamp = /name="_t" value="([^"]+)"/.exec(page.text)![1];
  return { csrfCookie, body: (fields: Record<string, string>) => formBody({ _csrf: csrfFrom(page.text), _t: stamp, ...fields }) };
}

describe('anonymous draft flood (issue 9, part 3)', () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  it('1,000 POSTs with a 60 KB field from one address grow the files by less than 5 MB and the funnel by at most the limit', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avenir-flood-'));
    const file = path.join(dir, 'avenir.db');
    const db = openDatabase(file);
    const { app } = makeApp({ db }); // default limits, as in production
    const server = app.listen(0);
    servers.push(server);
    // A real campaign is under way.
    for (let i = 0; i < 3; i++) await completeSurvey(new Respondent(app));
    const before = { bytes: weight(db, file), started: started(db) };

    const form = await scriptedForm(server);
    const statuses: Record<number, number> = {};
    const body = form.body({ ...(validAnswers[1] as Record<string, string>), situation: 'autre', [PRECISION]: HUGE });
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/questionnaire/1`;
    for (let i = 0; i < 1000; i++) {
      // fetch keeps the connection alive, as a flooding script would.
      const res = await fetch(url, {
        method: 'POST',
        headers: { cookie: form.csrfCookie, 'content-type': 'application/x-www-form-urlencoded' },
        body,
        redirect: 'manual',
      });
      await res.arrayBuffer();
      statuses[res.status] = (statuses[res.status] ?? 0) + 1;
    }

    const grown = weight(db, file) - before.bytes;
    const limit = 600; // DRAFT_START_RATE_LIMIT's default; the 3 honest respondents used 3 of it
    expect(statuses).toEqual({ 422: limit - 3, 429: 1000 - limit + 3 });
    expect(grown).toBeLessThan(5 * 1024 * 1024);
    expect(started(db) - before.started).toBeLessThanOrEqual(limit);
    // What was kept of the huge field: its limit and a margin, no more.
    const longest = db.prepare(`SELECT max(length(json_extract(data, '$.${PRECISION}'))) FROM draft_sections`).pluck().get() as number;
    expect(longest).toBe(draftChars(OTHER_MAX_LENGTH));
    console.log(`inondation : +${(grown / 1024 / 1024).toFixed(2)} Mo, +${started(db) - before.started} questionnaires commencés, statuts ${JSON.stringify(statuses)}`);
    db.close();
  }, 120_000);

  it('past the limit: a French 429 page, nothing stored, no cookie; other addresses and existing drafts go on', async () => {
    const { app, db } = makeApp({ config: { draftStartRateLimit: 3, trustProxy: 1 } });
    const school = '198.51.100.7';
    const early = new Respondent(app);
    early.agent.set('X-Forwarded-For', school);
    expect((await early.post(1, validAnswers[1])).status).toBe(303);
    for (let i = 0; i < 2; i++) {
      const r = new Respondent(app);
      r.agent.set('X-Forwarded-For', school);
      expect((await r.post(1, validAnswers[1])).status).toBe(303);
    }
    const rows = countRows(db, 'SELECT count(*) AS n FROM responses');

    const late = new Respondent(app);
    late.agent.set('X-Forwarded-For', school);
    const refused = await late.post(1, validAnswers[1]);
    expect(refused.status).toBe(429);
    expect(refused.headers['retry-after']).toMatch(/^\d+$/);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(3600);
    expect(refused.text).toContain(fr.errors.tooManyDraftsTitle);
    expect(refused.text).toContain('réessaie un peu plus tard');
    expect(refused.text).toContain('href="/"');
    expect(String(refused.headers['set-cookie'] ?? '')).not.toContain('avenir_brouillon');
    expect(countRows(db, 'SELECT count(*) AS n FROM responses')).toBe(rows);

    // Continuing a draft is never limited: the first pupil of that school finishes.
    for (const s of [2, 3, 4]) expect((await early.post(s, validAnswers[s])).status).toBe(303);
    expect(countRows(db, "SELECT count(*) AS n FROM responses WHERE status = 'complete'")).toBe(1);
    // Another address has its own allowance.
    const elsewhere = new Respondent(app);
    elsewhere.agent.set('X-Forwarded-For', '203.0.113.9');
    expect((await elsewhere.post(1, validAnswers[1])).status).toBe(303);
  });

  it('a lycée behind one address starts several classes within the hour at the default limit; 0 means no limit', async () => {
    const { app } = makeApp();
    const server = app.listen(0);
    servers.push(server);
    const form = await scriptedForm(server);
    // 20 classes of 30 pupils = 600 drafts in the hour, all started.
    for (let i = 0; i < 600; i++) {
      const res = await request(server).post('/questionnaire/1').set('Cookie', form.csrfCookie).type('form').send(form.body(validAnswers[1] as Record<string, string>));
      expect(res.status).toBe(303);
    }
    const unlimited = makeApp({ config: { draftStartRateLimit: 0 } });
    const free = await scriptedForm(unlimited.app);
    for (let i = 0; i < 30; i++) {
      const res = await request(unlimited.app).post('/questionnaire/1').set('Cookie', free.csrfCookie).type('form').send(free.body(validAnswers[1] as Record<string, string>));
      expect(res.status).toBe(303);
    }
    expect(countRows(unlimited.db, 'SELECT count(*) AS n FROM responses')).toBe(30);
  }, 60_000);

  it('a text typed past its limit: the page says so with the length typed and shows it all; the draft keeps the limit and a margin', async () => {
    const { app, db } = makeApp();
    const r = new Respondent(app);
    await r.post(1, validAnswers[1]);
    const typed = 'é'.repeat(5000);
    const res = await r.post(2, { ...validAnswers[2], ameliorer_territoire: typed });
    expect(res.status).toBe(422);
    const max = (q.sections[1].questions.find((x) => x.id === 'ameliorer_territoire') as { maxLength: number }).maxLength;
    expect(res.text).toContain(fr.errors.tooLong(5000, max));
    expect(res.text).toContain(typed);
    const kept = db.prepare(`SELECT json_extract(data, '$.ameliorer_territoire') FROM draft_sections WHERE section_id = ?`).pluck().get(q.sections[1].id) as string;
    expect(kept).toBe('é'.repeat(draftChars(max)));
    // Resuming shows the kept text, and it is still too long: the respondent is told, not cut silently.
    const again = await r.post(2, { ...validAnswers[2], ameliorer_territoire: kept });
    expect(again.status).toBe(422);
    expect(again.text).toContain(fr.errors.tooLong(draftChars(max), max));
  });
});
