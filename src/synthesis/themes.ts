import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import type { TextSource } from '../analysis/freeText.js';
import { compileFilter, type Filter } from '../results/filters.js';
import { percentOf } from '../results/aggregate.js';
import { answerScreener } from '../privacy/answerScreening.js';
import { fold } from '../text/normalise.js';

// Theme results of a free-text source for the synthesis, read from the reference coding
// (coder = '') of migration 017: the share of the respondents who wrote an answer whose answer
// carries each theme (shares may sum past 100 %), and a few example answers per theme, screened
// for personal data (automatic screening and the analysts' manual masks). No theme or no coding: null, and the synthesis shows no theme section.
//
// The results engine of the derived variables (src/results/derived.ts, another helper) owns theme
// results for the dashboard and exports; when it lands, `themeShares` should be replaced by its
// function so that both always give the same figures.

export type ThemeShare = { code: string; label: string; count: number; percent: number | null; examples: string[] };
export type ThemeResults = { source: TextSource; answered: number; coded: number; themes: ThemeShare[] };

/** Masks of personal data, applied to every text shown. */
export type Screener = (text: string, ctx: { source: string; responseId: string }) => string;

/** The rule of src/privacy/answerScreening.ts: automatic screening plus the analysts' manual masks (read once). */
export function answerScreenerFor(db: Db): Screener {
  const screenAnswer = answerScreener(db);
  return (text, ctx) => screenAnswer({ responseId: ctx.responseId, source: ctx.source }, text).text;
}

export const EXAMPLES_PER_THEME = 3;

export function themeShares(db: Db, q: Questionnaire, source: TextSource, filter: Filter, screener: Screener = answerScreenerFor(db)): ThemeResults | null {
  const themes = db.prepare('SELECT code, label FROM themes WHERE source = ? ORDER BY position, code').all(source.key) as { code: string; label: string }[];
  if (!themes.length) return null;
  const f = compileFilter(db, q, filter, 'r');
  // The responses that wrote something for this source, under the filter.
  const wrote = `SELECT a.response_id AS id, a.value_text AS text FROM answers a JOIN responses r ON r.id = a.response_id
    WHERE a.question_id = ? AND a.option_code = ? AND a.value_text IS NOT NULL AND a.value_text <> '' AND ${f.where}`;
  const params = [source.questionId, source.optionCode, ...f.params];
  return db.transaction(() => {
    const answered = (db.prepare(`SELECT count(*) AS n FROM (${wrote})`).get(...params) as { n: number }).n;
    const coded = (
      db.prepare(`SELECT count(*) AS n FROM (${wrote}) w JOIN codings c ON c.source = ? AND c.coder = '' AND c.response_id = w.id`).get(...params, source.key) as { n: number }
    ).n;
    if (!coded) return null;
    const counts = new Map(
      (
        db
          .prepare(
            `SELECT ct.code AS code, count(*) AS n FROM (${wrote}) w JOIN coding_themes ct ON ct.source = ? AND ct.coder = '' AND ct.response_id = w.id GROUP BY ct.code`,
          )
          .all(...params, source.key) as { code: string; n: number }[]
      ).map((r) => [r.code, r.n]),
    );
    // Examples: among the theme's answers, readable ones (neither a word nor a page), in the
    // random order of the response ids; those with nothing to mask first.
    const candidates = db.prepare(
      `SELECT w.id AS id, w.text AS text FROM (${wrote}) w JOIN coding_themes ct ON ct.source = ? AND ct.coder = '' AND ct.response_id = w.id AND ct.code = ?
       WHERE length(w.text) BETWEEN 12 AND 280 ORDER BY w.id LIMIT 60`,
    );
    const shares = themes.map((t) => {
      const rows = candidates.all(...params, source.key, t.code) as { id: string; text: string }[];
      const screened = rows.map((r) => {
        const shown = screener(r.text, { source: source.key, responseId: r.id }).replace(/\s+/g, ' ').trim();
        return { shown, clean: shown === r.text.replace(/\s+/g, ' ').trim() };
      });
      // Distinct sentences (many young people write the same two words).
      const seen = new Set<string>();
      const examples = [...screened.filter((s) => s.clean), ...screened.filter((s) => !s.clean)]
        .filter((s) => !seen.has(fold(s.shown)) && seen.add(fold(s.shown)))
        .slice(0, EXAMPLES_PER_THEME)
        .map((s) => s.shown);
      const count = counts.get(t.code) ?? 0;
      return { code: t.code, label: t.label, count, percent: percentOf(count, answered), examples };
    });
    // Largest first, as the report lists them.
    shares.sort((a, b) => b.count - a.count);
    return { source, answered, coded, themes: shares };
  })();
}
