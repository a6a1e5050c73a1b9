import crypto from 'node:crypto';
import { listThemes, replaceCodebook } from '../coding/codebook.js';
import { REPORT_SOURCE, REPORT_THEMES } from '../coding/reportThemes.js';
import type { Db } from '../db/connection.js';
import { loadQuestionnaire } from '../questionnaire/index.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { territory as sharedTerritory, type Territory } from '../territory/communes.js';
import { recordAnswered } from '../results/answered.js';
import { rebuildCounts, recordCompletion, subtractResponses } from '../results/counts.js';
import { demoChannels, reportProfile } from './profile.js';
import { prng, syntheticRespondents, type Profile, type SyntheticRespondent } from '../results/synthetic.js';

// `npm run demo`: about a thousand plausible completed responses (plus some abandoned drafts for
// the completion funnel), written like real completions and marked responses.demo = 1 so that
// removeDemo takes them all away, counts included.

export type InsertOptions = {
  demo?: boolean;
  /**
   * 'record': recordCompletion per response, in its transaction (the respondents' path);
   * 'rebuild': one rebuildCounts at the end (bulk loads: benchmarks, large tests).
   */
  counts?: 'record' | 'rebuild';
  /** Response ids in insertion order (sorted ids make bulk loads much faster); random otherwise. */
  ids?: readonly string[];
  /** Responses per transaction. */
  batchSize?: number;
};

/** Writes completed responses and their answers; returns how many were written. */
export function insertRespondents(db: Db, q: Questionnaire, people: Iterable<SyntheticRespondent>, opts: InsertOptions = {}): number {
  const insertResponse = db.prepare(
    `INSERT INTO responses (id, questionnaire_id, questionnaire_version, channel, status, reached_section,
       started_hour, updated_hour, completed_hour, demo)
     VALUES (?, ?, ?, ?, 'complete', ?, ?, ?, ?, ?)`,
  );
  const insertAnswer = db.prepare(
    `INSERT INTO answers (response_id, question_id, option_code, value_text, value_num) VALUES (?, ?, ?, ?, ?)`,
  );
  const mode = opts.counts ?? 'record';
  const batchSize = opts.batchSize ?? 2000;
  const demo = opts.demo ? 1 : 0;
  let n = 0;
  const batch: SyntheticRespondent[] = [];
  const flush = db.transaction((list: SyntheticRespondent[]) => {
    for (const p of list) {
      const id = opts.ids ? opts.ids[n] : crypto.randomUUID();
      if (id === undefined) throw new Error('pas assez d’identifiants fournis');
      insertResponse.run(id, q.id, q.version, p.channel, q.sections.length, p.startedHour, p.completedHour, p.completedHour, demo);
      for (const r of p.rows) insertAnswer.run(id, r.questionId, r.optionCode, r.valueText, r.valueNum);
      recordAnswered(db, id, p.rows);
      if (mode === 'record') recordCompletion(db, p.rows);
      n++;
    }
  });
  for (const p of people) {
    batch.push(p);
    if (batch.length >= batchSize) flush(batch.splice(0));
  }
  if (batch.length) flush(batch.splice(0));
  if (mode === 'rebuild') rebuildCounts(db);
  return n;
}

/** `count` random ids, sorted: what bulk loads pass as InsertOptions.ids. */
export function sortedIds(count: number): string[] {
  return Array.from({ length: count }, () => crypto.randomUUID()).sort();
}

export type DemoOptions = {
  count?: number;
  seed?: number;
  /** Abandoned drafts added for the funnel (default: a quarter of `count`). */
  drafts?: number;
  questionnaire?: Questionnaire;
  territory?: Territory;
  profile?: Profile;
  /** The demo's responses are spread over the weeks before this instant (default: now). */
  now?: Date;
};

/** How far back the demo's responses go: a campaign in its sixth week. */
export const DEMO_WEEKS = 6;

/** The period the demo's responses fall in: the last DEMO_WEEKS weeks up to `now`. */
export function demoPeriod(now: Date): { from: Date; to: Date } {
  return { from: new Date(now.getTime() - DEMO_WEEKS * 7 * 86_400_000), to: now };
}

/** Adds the demo responses; returns the number of completed responses added. */
export function generateDemo(db: Db, opts: DemoOptions = {}): { completed: number; drafts: number } {
  const q = opts.questionnaire ?? loadQuestionnaire();
  const count = opts.count ?? 1000;
  const seed = opts.seed ?? 2023;
  const period = demoPeriod(opts.now ?? new Date());
  const people = syntheticRespondents(q, {
    ...period,
    count,
    seed,
    profile: opts.profile ?? reportProfile,
    territory: opts.territory ?? sharedTerritory(),
    channels: demoChannels,
  });
  let completed = 0;
  let drafts = 0;
  db.transaction(() => {
    completed = insertRespondents(db, q, people, { demo: true, counts: 'record' });
    drafts = insertDemoDrafts(db, q, opts.drafts ?? Math.round(count / 4), seed, period);
    // The report's four themes and their keywords, so the coding pages show something; an
    // analyst's own codebook is never replaced.
    if (!listThemes(db, REPORT_SOURCE).length) replaceCodebook(db, REPORT_SOURCE, REPORT_THEMES);
  })();
  return { completed, drafts };
}

/** Abandoned drafts (no answers): only the funnel reads them. */
function insertDemoDrafts(db: Db, q: Questionnaire, count: number, seed: number, period: { from: Date; to: Date }): number {
  const rand = prng(seed ^ 0x5eed);
  const insert = db.prepare(
    `INSERT INTO responses (id, questionnaire_id, questionnaire_version, channel, status, reached_section,
       started_hour, updated_hour, demo)
     VALUES (?, ?, ?, NULL, 'draft', ?, ?, ?, 1)`,
  );
  const from = period.from.getTime();
  const to = period.to.getTime();
  for (let i = 0; i < count; i++) {
    // Most people who give up do so early.
    const r = rand();
    const reached = Math.min(q.sections.length - 1, r < 0.25 ? 0 : r < 0.6 ? 1 : r < 0.85 ? 2 : 3);
    const hour = new Date(from + Math.floor(rand() * (to - from))).toISOString().slice(0, 13);
    insert.run(crypto.randomUUID(), q.id, q.version, reached, hour, hour);
  }
  return count;
}

/** Deletes every demo response (answers cascade) and takes them out of the counts. */
export function removeDemo(db: Db): number {
  return db.transaction(() => {
    subtractResponses(db, 'r.demo = 1');
    return db.prepare('DELETE FROM responses WHERE demo = 1').run().changes;
  })();
}
