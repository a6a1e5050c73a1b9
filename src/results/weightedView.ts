import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { fr } from '../strings.js';
import { ensureWeights } from '../weights/current.js';
import type { PublishedResults } from './aggregate.js';
import { formatCount } from './figures.js';
import type { Filter, FilterError } from './filters.js';
import { weightingSaved } from './weighted.js';

// What the pages, the JSON API and the exports share about « résultats pondérés » (weighted=1):
// whether it can be served, and how weighted figures are shown.

const t = fr.weighted;
const decimalFmt = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });
const deffFmt = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export const WEIGHTED_FIELD = 'weighted';

export function weightingCheck(db: Db, q: Questionnaire) {
  /** The refusal of weighted=1 when no weighting is in force (the field error of the switch). */
  const error = (filter: Filter): FilterError | null => (filter.weighted && !ensureWeights(db, q) ? { field: WEIGHTED_FIELD, message: t.unavailable } : null);
  return {
    /** Whether a weighting is saved, cheaply (the switch of every page says so, on or off). */
    saved: () => weightingSaved(db),
    error,
    /** For a page: the filter without weighted=1 and the error beside the switch, when refused. */
    refuse(filter: Filter, errors: FilterError[]): { filter: Filter; errors: FilterError[] } {
      const e = error(filter);
      if (!e) return { filter, errors };
      const { weighted: _dropped, ...rest } = filter;
      return { filter: rest, errors: [...errors, e] };
    },
  };
}

/**
 * The figures as the dashboard draws them: weighted results show the weighted share where the
 * unweighted ones show the raw share (bars, tables, charts); counts stay the respondents.
 */
export function displayResults(results: PublishedResults): PublishedResults {
  if (!results.weighted) return results;
  return {
    ...results,
    questions: results.questions.map((qr) => ({
      ...qr,
      tables: qr.tables.map((table) => ({ ...table, options: table.options.map((o) => ({ ...o, percent: o.weightedPercent ?? null })) })),
    })),
  };
}

export const formatDecimal = (x: number | null | undefined) => (x === null || x === undefined ? '–' : decimalFmt.format(x));

/** The sentence under the title of a weighted page: what is weighted, and intervals on n_eff. */
export function weightedNotice(results: PublishedResults): { text: string; unweighted?: string } | undefined {
  const w = results.weighting;
  if (!results.weighted || !w || w.responses === null) return undefined;
  return {
    text: t.notice(formatCount(w.responses), formatDecimal(w.effectiveN), w.designEffect === null ? '–' : deffFmt.format(w.designEffect)),
    unweighted: w.unweighted > 0 ? t.unweightedLeft(formatCount(w.unweighted)) : undefined,
  };
}
