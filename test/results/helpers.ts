import crypto from 'node:crypto';
import { expect } from 'vitest';
import { openDatabase, type Db } from '../../src/db/connection.js';
import { parseWhole } from '../../src/questionnaire/engine.js';
import { loadQuestionnaire } from '../../src/questionnaire/index.js';
import type { Questionnaire } from '../../src/questionnaire/schema.js';
import type { RawValues } from '../../src/questionnaire/types/common.js';
import { insertRespondents } from '../../src/demo/demo.js';
import { territory } from '../../src/territory/communes.js';

export const q: Questionnaire = loadQuestionnaire();

/**
 * responses.flagged arrives with migration 002 (another engineer). Until then the tests add it
 * themselves, so they pass before and after 002 lands.
 */
export function ensureFlaggedColumn(db: Db): void {
  const cols = db.prepare(`SELECT name FROM pragma_table_info('responses')`).all() as { name: string }[];
  if (!cols.some((c) => c.name === 'flagged')) db.exec('ALTER TABLE responses ADD COLUMN flagged INTEGER NOT NULL DEFAULT 0');
}

export function freshDb(): Db {
  const db = openDatabase(':memory:');
  ensureFlaggedColumn(db);
  return db;
}

export type Person = {
  /** Form fields per step (1-based), as a browser posts them. */
  answers: Record<number, RawValues>;
  channel?: string | null;
  /** "2022-11-30T10" */
  completed?: string;
  id?: string;
};

/**
 * Completes a response the way the respondent path does: the form fields are validated by the
 * engine (parseWhole), the rows written, and the counts updated in the same transaction.
 */
export function addResponse(db: Db, p: Person, questionnaire = q): string {
  const drafts = questionnaire.sections.map((_, i) => p.answers[i + 1] ?? {});
  const whole = parseWhole(questionnaire, drafts, territory());
  if (whole.firstInvalid !== -1) {
    throw new Error(JSON.stringify(whole.sections[whole.firstInvalid].errors));
  }
  const id = p.id ?? crypto.randomUUID();
  const hour = p.completed ?? '2022-12-01T10';
  insertRespondents(
    db,
    questionnaire,
    [{ drafts, rows: whole.rows, channel: p.channel ?? null, startedHour: hour, completedHour: hour }],
    { ids: [id], counts: 'record' },
  );
  return id;
}

/** An abandoned draft that saved `reached` sections. */
export function addDraft(db: Db, reached: number, channel: string | null = null): string {
  const id = crypto.randomUUID();
  db.prepare(
    `INSERT INTO responses (id, questionnaire_id, questionnaire_version, channel, status, reached_section, started_hour, updated_hour)
     VALUES (?, ?, ?, ?, 'draft', ?, '2022-12-01T10', '2022-12-01T10')`,
  ).run(id, q.id, q.version, channel, reached);
  return id;
}

/** Five respondents whose figures are computed by hand in the tests. */
export const FIVE: Person[] = [
  {
    channel: 'lycee-carnot',
    completed: '2022-11-30T10',
    answers: {
      1: { age: '16', genre: 'feminin', commune: 'Béthune', situation: 'lycee', filiere: 'generale', lieu_activite: 'pma' },
      2: { points_forts: ['histoire', 'sport_rc_lens'], opinions_territoire__fierte: 'accord', rester_vivre: 'oui' },
      3: { attentes_emploi__rang1: 'salaire', attentes_emploi__rang2: 'conditions_travail', attentes_emploi__rang3: 'epanouissement' },
      4: { mots_industrie: '=SUM(A1)', envisager_industrie: 'plutot_oui', convaincre_industrie: ['connaitre_secteur', 'salaires'] },
    },
  },
  {
    channel: 'lycee-carnot',
    completed: '2022-12-05T14',
    answers: {
      1: { age: '17', genre: 'masculin', commune: 'Lens', situation: 'lycee', filiere: 'professionnelle' },
      2: { points_forts: ['histoire'], opinions_territoire__fierte: 'plutot_accord' },
      3: { attentes_emploi__rang1: 'salaire', attentes_emploi__rang2: 'utilite' },
      4: { envisager_industrie: 'oui_tout_a_fait', convaincre_industrie: ['rien'] },
    },
  },
  {
    channel: null,
    completed: '2023-01-10T09',
    answers: {
      1: { age: '20', genre: 'masculin', commune: 'Hénin-Beaumont', situation: 'etudes_sup' },
      2: {
        points_forts: ['qualite_vie', 'nature', 'histoire'],
        opinions_territoire__fierte: 'accord',
        opinions_territoire__deplacements: 'desaccord',
      },
      3: { attentes_emploi__rang1: 'epanouissement' },
      4: { envisager_industrie: 'pas_du_tout', convaincre_industrie: ['rien'] },
    },
  },
  {
    channel: 'iut-lens',
    completed: '2023-01-20T18',
    answers: {
      1: { age: '24', genre: 'feminin', commune: 'Arras', situation: 'emploi' },
      2: { ameliorer_territoire: 'Plus de bus, le soir ; et "le week-end"\nmerci' },
      3: { attentes_emploi__rang1: 'conditions_travail', attentes_emploi__rang2: 'salaire', attentes_emploi__rang3: 'evolution' },
      4: { envisager_industrie: 'nsp', convaincre_industrie: ['visiter_entreprises', 'salaires', 'connaitre_secteur'] },
    },
  },
  {
    channel: 'iut-lens',
    completed: '2023-01-31T23',
    answers: {
      1: { age: '30', genre: 'autre', commune: 'Liévin', situation: 'autre', situation__autre__precision: '-1 en service civique' },
      2: { points_forts: ['histoire'] },
      4: { envisager_industrie: 'plutot_non', mots_industrie: 'Usine à gaz' },
    },
  },
];

export function seedFive(db: Db): string[] {
  return FIVE.map((p) => addResponse(db, p));
}

/** Table of a results object by its id, as a code → { count, percent } map plus its base. */
export function tableOf(results: { questions: { tables: { id: string; base: number; options: { code: string; count: number; percent: number | null }[] }[] }[] }, id: string) {
  const t = results.questions.flatMap((x) => x.tables).find((x) => x.id === id);
  expect(t, `table ${id}`).toBeDefined();
  return {
    base: t!.base,
    count: Object.fromEntries(t!.options.map((o) => [o.code, o.count])),
    percent: Object.fromEntries(t!.options.map((o) => [o.code, o.percent])),
  };
}
