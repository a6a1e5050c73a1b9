import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import type { TextSource } from '../analysis/freeText.js';
import { compileFilter, type Filter } from '../results/filters.js';
import { percentOf, type ResultTable } from '../results/aggregate.js';
import { answerScreener } from '../privacy/answerScreening.js';
import { fold } from '../text/normalise.js';

// Theme results of a free-text source for the synthesis, read from the reference coding
// (coder = '') of migration 017: the share of the respondents who wrote an answer whose answer
// carries each theme (shares may sum past 100 %), and a few example answers per theme, screened
// for personal data (automatic screening and the analysts' manual masks). No theme or no coding: null, and the synthesis shows no theme section.

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

/**
 * Theme results of one source: the figures are those of the results engine (the derived
 * variable "<source>__theme" of src/results/derived.ts, passed in as its table), so the synthesis,
 * the dashboard and the exports always agree; this adds a few screened example answers per theme.
 */
export function themeShares(
  db: Db,
  q: Questionnaire,
  source: TextSource,
  filter: Filter,
  table: ResultTable | undefined,
  screener: Screener = answerScreenerFor(db),
): ThemeResults | null {
  if (!table || table.derived?.kind !== 'theme') return null;
  const coded = table.derived.coded;
  if (!coded) return null;
  const answered = table.base;
  const f = compileFilter(db, q, filter, 'r');
  // The responses that wrote something for this source, under the filter.
  const wrote = `SELECT a.response_id AS id, a.value_text AS text FROM answers a JOIN responses r ON r.id = a.response_id
    WHERE a.question_id = ? AND a.option_code = ? AND a.value_text IS NOT NULL AND a.value_text <> '' AND ${f.where}`;
  const params = [source.questionId, source.optionCode, ...f.params];
  // Examples: among the theme's answers, readable ones (neither a word nor a page), in the
  // random order of the response ids; those with nothing to mask first.
  const candidates = db.prepare(
    `SELECT w.id AS id, w.text AS text FROM (${wrote}) w JOIN coding_themes ct ON ct.source = ? AND ct.coder = '' AND ct.response_id = w.id AND ct.code = ?
     WHERE length(w.text) BETWEEN 12 AND 280 ORDER BY w.id LIMIT 60`,
  );
  const shares = table.options.map((t) => {
    const rows = candidates.all(...params, source.key, t.code) as { id: string; text: string }[];
    const screened = rows.map((r) => {
      const shown = screener(r.text, { source: source.key, responseId: r.id }).replace(/\s+/g, ' ').trim();
      return { shown, clean: shown === r.text.replace(/\s+/g, ' ').trim() };
    });
    // Distinct sentences (many young people write the same two words).
    const seen = new Set<string>();
    const examples = [...screened.filter((x) => x.clean), ...screened.filter((x) => !x.clean)]
      .filter((x) => !seen.has(fold(x.shown)) && seen.add(fold(x.shown)))
      .slice(0, EXAMPLES_PER_THEME)
      .map((x) => x.shown);
    return { code: t.code, label: t.label, count: t.count, percent: percentOf(t.count, answered), examples };
  });
  // Largest first, as the report lists them.
  shares.sort((a, b) => b.count - a.count);
  return { source, answered, coded, themes: shares };
}
