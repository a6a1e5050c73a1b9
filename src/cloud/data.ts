import type { Db } from '../db/connection.js';
import type { TextSource } from '../analysis/freeText.js';
import { filterKey } from '../results/cache.js';
import { derivedVersion } from '../results/derived.js';
import { compileFilter, type Filter } from '../results/filters.js';
import type { FilterVariable } from '../results/model.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { answerScreener, maskVersion } from '../privacy/answerScreening.js';
import { createTally, textEntries, type CloudTally } from './entries.js';

// The survey's word cloud of one text source under the results filters, in one pass over its
// answers: each answer screened first (automatic and manual masks: a name or a phone number
// never becomes a word), then its entries counted, overall and per group of the comparison
// variable. Kept until the data changes (results_version, migration 007) or a manual mask does
// (mask_version, migration 020); the exclusion list is applied afterwards, by the page.

/** Single-choice variables a cloud can be split by (one code per respondent). */
export function comparisonVariables(variables: readonly FilterVariable[]): FilterVariable[] {
  return variables.filter(
    (v) => v.choices !== null && v.choices.length >= 2 && v.question.type !== 'multiple' && v.question.type !== 'ranking' && (v.match.kind === 'option' || v.match.kind === 'range'),
  );
}

function groupColumn(v: FilterVariable | undefined): { sql: string; params: string[]; toCode: (raw: unknown) => string | null } {
  if (!v) return { sql: 'NULL', params: [], toCode: () => null };
  if (v.match.kind === 'range') {
    const groups = v.match.groups;
    return {
      sql: `(SELECT ga.value_num FROM answers ga WHERE ga.response_id = r.id AND ga.question_id = ? AND ga.option_code = '')`,
      params: [v.match.answerId],
      toCode: (raw) => (typeof raw === 'number' ? (groups.find((g) => g.ranges.some(([lo, hi]) => raw >= lo && raw <= hi))?.code ?? null) : null),
    };
  }
  // Derived variables (recodes, themes: src/results/derived.ts) are not offered as comparisons.
  if (v.match.kind !== 'option') return { sql: 'NULL', params: [], toCode: () => null };
  return {
    sql: `(SELECT ga.option_code FROM answers ga WHERE ga.response_id = r.id AND ga.question_id = ? LIMIT 1)`,
    params: [v.match.answerId],
    toCode: (raw) => (typeof raw === 'string' ? raw : null),
  };
}

/** Counts the cloud of a source: every non-empty answer of the completed responses passing the filter. */
export function computeCloud(db: Db, q: Questionnaire, source: TextSource, filter: Filter, compare?: FilterVariable): CloudTally {
  const c = compileFilter(db, q, filter, 'r');
  const g = groupColumn(compare);
  const rows = db
    .prepare(
      `SELECT a.response_id, a.value_text, ${g.sql}
       FROM answers a JOIN responses r ON r.id = a.response_id
       WHERE a.question_id = ? AND a.option_code = ? AND a.value_text IS NOT NULL AND a.value_text <> '' AND ${c.where}`,
    )
    .raw(true);
  const screen = answerScreener(db);
  const tally = createTally();
  for (const [responseId, text, group] of rows.iterate(...g.params, source.questionId, source.optionCode, ...c.params) as Iterable<[string, string, unknown]>) {
    const screened = screen({ responseId, source: source.key }, text);
    tally.add(textEntries(text, screened.masked), g.toCode(group));
  }
  return tally.result();
}

const MAX_CACHED = 30;
const caches = new WeakMap<Db, { stamp: string; entries: Map<string, CloudTally> }>();

/** computeCloud, computed once per source, filter and comparison until the answers or the masks change. */
export function cachedCloud(db: Db, q: Questionnaire, source: TextSource, filter: Filter, compare?: FilterVariable): CloudTally {
  return db.transaction(() => {
    // derivedVersion: a filter on a recode or a theme selects other responses once they change.
    const stamp = `${(db.prepare('SELECT n FROM results_version WHERE id = 1').get() as { n: number }).n}/${maskVersion(db)}/${derivedVersion(db)}`;
    let cache = caches.get(db);
    if (!cache || cache.stamp !== stamp) caches.set(db, (cache = { stamp, entries: new Map() }));
    const key = JSON.stringify([source.key, filterKey(filter), compare?.id ?? '']);
    const hit = cache.entries.get(key);
    if (hit) {
      // Most recently used last: the first key is the one to drop.
      cache.entries.delete(key);
      cache.entries.set(key, hit);
      return hit;
    }
    const computed = computeCloud(db, q, source, filter, compare);
    if (cache.entries.size >= MAX_CACHED) cache.entries.delete(cache.entries.keys().next().value!);
    cache.entries.set(key, computed);
    return computed;
  })();
}
