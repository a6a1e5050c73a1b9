import Database from 'better-sqlite3';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultChannels } from '../../src/campaign/campaign.js';
import { parseWhole } from '../../src/questionnaire/engine.js';
import { loadQuestionnaire } from '../../src/questionnaire/index.js';
import { territory } from '../../src/territory/communes.js';
import { validAnswers } from '../helpers.js';
import { findInvalidData } from '../support/db-invariants.js';
import { FetchRespondent } from '../support/fetch-respondent.js';
import { findPersonalTraces } from '../support/privacy.js';

// The promise "every write that acknowledges a respondent is committed before the response is
// sent", tested the hard way: the real server (npm start) is killed with SIGKILL in the middle
// of a class filling in the questionnaire, then restarted on the same database file. Every
// respondent who saw « /merci » must be there, complete, exactly once; the others can resume.

const ROOT = path.resolve(import.meta.dirname, '../..');
// Exactly what `npm start` runs: `node --import tsx src/server.ts`, a single process.
const NODE_ARGS = ['--import', 'tsx', 'src/server.ts'];
const RESPONDENTS = 30;
const q = loadQuestionnaire();

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts the server as `npm start` does, in its own process group; the crash is a SIGKILL to the
 * whole group, like a power cut for these processes.
 */
async function startServer(dbFile: string) {
  const port = await freePort();
  const child = spawn(process.execPath, NODE_ARGS, {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATABASE_PATH: dbFile, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const killGroup = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? code)));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    const ok = await fetch(`${base}/healthz`).then((r) => r.ok, () => false);
    if (ok) return { child, base, exited, killGroup, output: () => output };
    await sleep(100);
  }
  killGroup();
  throw new Error(`le serveur n’a pas démarré :\n${output}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The answers of respondent n: the typical ones, with a job title only they give. */
function answersOf(n: number) {
  return { 1: validAnswers[1], 2: validAnswers[2], 3: { ...validAnswers[3], metier: `metier-${n}` }, 4: validAnswers[4] } as Record<number, Record<string, string | string[]>>;
}

type Progress = { n: number; client: FetchRespondent; acked: number; merci: boolean };

describe('a server killed with SIGKILL during a classroom session', () => {
  it('keeps every acknowledged completion, exactly once, and lets the others resume', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avenir-crash-'));
    const dbFile = path.join(dir, 'avenir.db');
    const first = await startServer(dbFile);
    let second: Awaited<ReturnType<typeof startServer>> | undefined;
    try {
      // Kill after a random number of acknowledged completions, plus a random delay: some
      // respondents have finished, others are between two pages or in the middle of a POST.
      const killAfterAcks = 5 + Math.floor(Math.random() * 15);
      const killDelayMs = Math.floor(Math.random() * 25);
      let acks = 0;
      let killed = false;
      const kill = () => {
        if (killed) return;
        killed = true;
        setTimeout(first.killGroup, killDelayMs);
      };
      // A dead server makes fetch fail (TypeError); anything else (a wrong status, a missing
      // token, a timeout) is a bug.
      const problems: string[] = [];

      const progress: Progress[] = Array.from({ length: RESPONDENTS }, (_, n) => ({
        n,
        client: new FetchRespondent(first.base, {
          'user-agent': `Mozilla/5.0 (Linux; Android 12) CrashTestPhone/${n}`,
          'x-forwarded-for': `198.51.100.${n + 1}`,
        }),
        acked: 0,
        merci: false,
      }));

      const respond = async (p: Progress) => {
        await sleep(Math.random() * 600); // pupils don't all start at once
        const answers = answersOf(p.n);
        try {
          for (const step of [1, 2, 3, 4]) {
            await sleep(5 + Math.random() * 50); // reading the page
            const res = await p.client.answer(step, answers[step]);
            const expected = step === 4 ? '/merci' : `/questionnaire/${step + 1}`;
            if (res.status !== 303 || res.location !== expected) throw new Error(`étape ${step} : ${res.status} ${res.location}`);
            p.acked = step;
            if (step === 4) {
              p.merci = true;
              if (++acks >= killAfterAcks) kill();
            }
          }
        } catch (e) {
          if (!(e instanceof TypeError)) problems.push(`répondant ${p.n} : ${String(e)}`);
        }
      };
      await Promise.all(progress.map(respond));
      kill(); // in case everyone finished before the threshold (would make a weak test)
      expect(await first.exited).toBe('SIGKILL');
      expect(await fetch(`${first.base}/healthz`).then(() => 'vivant', () => 'mort'), 'le serveur est bien mort').toBe('mort');
      expect(problems).toEqual([]);

      const acknowledged = progress.filter((p) => p.merci);
      const interrupted = progress.filter((p) => !p.merci);
      console.log(
        `SIGKILL après ${killAfterAcks} fins (+${killDelayMs} ms) : ${acknowledged.length} fins confirmées, ` +
          `${interrupted.length} interrompues (étapes confirmées : ${interrupted.map((p) => p.acked).join(' ')})`,
      );
      expect(acknowledged.length).toBeGreaterThanOrEqual(killAfterAcks);
      expect(interrupted.length, 'le serveur a été tué alors que des répondants étaient en cours').toBeGreaterThan(0);

      const uas = progress.map((p) => p.client.headers['user-agent']);
      const ips = progress.map((p) => p.client.headers['x-forwarded-for']);
      const needles = [...uas, ...ips, 'CrashTestPhone'];
      // The files exactly as the crash left them (the WAL has not been checkpointed).
      expect(fs.existsSync(`${dbFile}-wal`)).toBe(true);
      expect(findPersonalTraces({ dbFile, needles })).toEqual([]);

      // Restart on the same file; an interrupted respondent comes back with its cookie.
      second = await startServer(dbFile);
      const resumable: Progress[] = [];
      for (const p of interrupted.filter((x) => x.acked >= 1)) {
        p.client.base = second.base;
        const landing = await p.client.get('/');
        const link = /<a class="button" href="\/questionnaire\/([1-4])">Reprendre là où je me suis arrêté·e<\/a>/.exec(landing.text);
        if (link) resumable.push(p);
        // Its draft survived: the step it reached (or the one in flight when the server died).
        if (link) expect([p.acked + 1, p.acked + 2]).toContain(Number(link[1]));
      }
      expect(resumable.length, 'au moins un brouillon interrompu peut reprendre').toBeGreaterThan(0);
      const back = resumable[0];
      const page1 = await back.client.get('/questionnaire/1');
      expect(page1.text).toContain(`value="${validAnswers[1].age}"`); // what was typed before the crash
      const answers = answersOf(back.n);
      for (let step = back.acked + 1; step <= 4; step++) {
        const res = await back.client.answer(step, answers[step]);
        expect(res.status, `reprise, étape ${step}`).toBe(303);
        if (step === 4) expect(res.location).toBe('/merci');
      }
      back.merci = true;

      second.child.kill('SIGTERM'); // the server closes the database and exits
      expect(await second.exited).toBe(0);
      second = undefined;
      const serverLogs = first.output();
      for (const n of needles) expect(serverLogs).not.toContain(n);

      const db = new Database(dbFile);
      try {
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
        const complete = (db.prepare("SELECT count(*) AS n FROM responses WHERE status = 'complete'").get() as { n: number }).n;
        const confirmed = progress.filter((p) => p.merci);
        expect(complete).toBeGreaterThanOrEqual(confirmed.length);
        const byMetier = db.prepare(
          `SELECT r.id FROM responses r JOIN answers a ON a.response_id = r.id
           WHERE r.status = 'complete' AND a.question_id = 'metier' AND a.value_text = ?`,
        );
        const rowsOf = db.prepare('SELECT question_id, option_code, value_text, value_num FROM answers WHERE response_id = ? ORDER BY question_id, option_code');
        for (const p of confirmed) {
          const ids = byMetier.all(`metier-${p.n}`) as { id: string }[];
          expect(ids, `réponse confirmée de metier-${p.n}`).toHaveLength(1);
          // Complete: exactly the rows the questionnaire gives for these answers, none missing.
          const a = answersOf(p.n);
          const expected = parseWhole(q, [a[1], a[2], a[3], a[4]], territory())
            .rows.map((r) => ({ question_id: r.questionId, option_code: r.optionCode, value_text: r.valueText, value_num: r.valueNum }))
            .sort((x, y) => (x.question_id + '\u0000' + x.option_code < y.question_id + '\u0000' + y.option_code ? -1 : 1));
          expect(rowsOf.all(ids[0].id)).toEqual(expected);
        }
        // Nobody was counted twice, acknowledged or not.
        for (const p of progress) expect((byMetier.all(`metier-${p.n}`) as unknown[]).length).toBeLessThanOrEqual(1);
        expect(findInvalidData(db, q, territory(), defaultChannels.map((c) => c.code))).toEqual([]);
        expect(findPersonalTraces({ db, dbFile, needles })).toEqual([]);
      } finally {
        db.close();
      }
    } finally {
      first.killGroup();
      second?.killGroup();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});
