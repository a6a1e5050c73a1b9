import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { compileFilter, NO_FILTER, type Filter } from '../results/filters.js';
import { chiSquareGoodnessOfFit, type ChiSquareTest } from '../results/statistics.js';
import { fr } from '../strings.js';
import { isFilled, listMargins, resolveMargin, type ReferenceMargin } from './margins.js';

// Respondents against the population, margin by margin: the respondents' shares over the
// categories the census has, the population's shares, the gap in points and a chi-square goodness
// of fit. Respondents outside those categories (gender « autre » or not given, « hors PMA », no
// answer) are counted apart and left out of the comparison.

export type Comparison = {
  margin: ReferenceMargin;
  /** The margin can't be read (variable gone): why. */
  error?: string;
  filled: boolean;
  /** Respondents in the categories the census has. */
  compared: number;
  categories: { code: string; label: string; respondents: number; percent: number | null; population: number | null; gap: number | null }[];
  /** Respondents of the universe outside the census's categories, by code of the variable (null = no answer). */
  outside: { code: string | null; label: string; respondents: number }[];
  /** Completed respondents passing the filter but outside the margin's universe (e.g. not aged 15-17). */
  outsideUniverse: number;
  test: ChiSquareTest | null;
};

const t = fr.weights.representativeness;

export function compare(db: Db, q: Questionnaire, filter: Filter = NO_FILTER, margins = listMargins(db)): Comparison[] {
  const f = compileFilter(db, q, filter, 'r');
  return db.transaction(() =>
    margins.map((m): Comparison => {
      const base = { margin: m, filled: isFilled(m), compared: 0, categories: [], outside: [], outsideUniverse: 0, test: null };
      const r = resolveMargin(db, q, m);
      if ('error' in r) return { ...base, error: r.error };
      const rows = db
        .prepare(`SELECT code, count(*) AS n FROM (SELECT (${r.codeSql}) AS code FROM responses r WHERE ${f.where}) GROUP BY code`)
        .all(...r.codeParams, ...f.params) as { code: string | null; n: number }[];
      const byCode = new Map(rows.map((x) => [x.code, x.n]));
      const outsideUniverse = byCode.get('') ?? 0;
      const inCategory = new Set(m.categories.flatMap((c) => c.codes));
      const counts = m.categories.map((c) => c.codes.reduce((a, k) => a + (byCode.get(k) ?? 0), 0));
      const compared = counts.reduce((a, b) => a + b, 0);
      const shareSum = m.categories.reduce((a, c) => a + (c.share ?? 0), 0);
      const categories = m.categories.map((c, i) => {
        const percent = compared ? (100 * counts[i]) / compared : null;
        const population = c.share === null ? null : (100 * c.share) / (shareSum || 100);
        return { code: c.code, label: c.label, respondents: counts[i], percent, population, gap: percent !== null && population !== null ? percent - population : null };
      });
      const labels = new Map((r.variable.choices ?? []).map((c) => [c.code, c.label]));
      const outside = [
        ...(r.variable.choices ?? []).filter((c) => !inCategory.has(c.code)).map((c) => ({ code: c.code as string | null, label: c.label, respondents: byCode.get(c.code) ?? 0 })),
        { code: null, label: t.noAnswer, respondents: byCode.get(null) ?? 0 },
        // Codes answered that the variable no longer lists (an older questionnaire version).
        ...rows.filter((x) => x.code !== null && x.code !== '' && !inCategory.has(x.code) && !labels.has(x.code)).map((x) => ({ code: x.code, label: x.code!, respondents: x.n })),
      ];
      const test = base.filled && compared > 0 ? chiSquareGoodnessOfFit(counts, m.categories.map((c) => c.share as number)) : null;
      return { ...base, compared, categories, outside, outsideUniverse, test };
    }),
  )();
}
