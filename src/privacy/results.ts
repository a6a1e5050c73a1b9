import type { OptionResult, PublishedResults, QuestionResult, Results, ResultTable } from '../results/aggregate.js';
import { AGE_GROUP_SUFFIX, sub } from '../results/model.js';
import { wilson } from '../results/statistics.js';
import { fr } from '../strings.js';
import { isSmall, selectionWithheld, suppressGroup, suppressSingle, suppressYesNo, type Audience, type CellStatus } from './disclosure.js';

// The dashboard's results model through the rules of disclosure.ts: what /resultats, its section
// pages, /api/results.json and the live refresh give a protected viewer. The figures themselves
// must already be computed over released responses only (filter.releasedOnly).
//
// Which quantities are cells, per table of the model:
//  - one answer per respondent (single choice, a grid statement, 1st rank, age group,
//    intercommunality, commune): the options plus « sans réponse » (selection − base) sum to the
//    selection;
//  - several (multiple choice, « dans les N premiers choix », « a répondu » to a free text): each
//    option is a yes/no split of the base, and base + « sans réponse » = selection;
//  - the raw value table of an integer question that has age groups is dropped: the groups are
//    sums of its values, so a hidden value could be recomputed from its group (the dashboard
//    shows the groups only anyway);
//  - the commune list (~150 communes, mostly tiny): communes under K are merged into one
//    « autres communes » cell before suppression, so no small commune is even named;
//  - a recode (src/results/derived.ts) is one answer per respondent too, linked to its source
//    table: see protectRecode; theme tables (free text) are left out;
//  - integer statistics: min and max are one person's answer, never shown; mean and median only
//    over a visible base of at least K.
// A hidden « sans réponse » hides the base (base = selection − « sans réponse ») and therefore
// every percentage of the table (count / percent gives the base back).
//
// Weighted results (« résultats pondérés », src/results/weighted.ts): every decision above is
// made on the RAW number of respondents (count, base, selection), never on a weighted figure (a
// weighted count of 6.2 from 2 people is still 2 people), so the cells hidden are exactly those of
// the unweighted results; a hidden cell's weighted count, weighted share and interval are hidden
// with it, and a hidden base takes its weighted base, effective size and every weighted share of
// the table with it. A selection with responses not weighted yet shows no weighted figure:
// comparing it with the unweighted results would difference those few responses.

const t = fr.disclosure;

/** Code of the merged cell of small communes (INSEE codes are 5 characters: no clash). */
export const OTHER_COMMUNES_CODE = 'autres_communes';

/** The weighted fields of a cell as hidden (nothing added to an unweighted cell). */
const noWeightedShare = (o: OptionResult<number | null>) => ('weightedPercent' in o ? { weightedPercent: null, ciLow: null, ciHigh: null } : {});

function hide(o: OptionResult<number | null>, status: CellStatus): OptionResult<number | null> {
  if (status === 'shown') return o;
  return { ...o, count: null, percent: null, ...noWeightedShare(o), ...('weightedCount' in o ? { weightedCount: null } : {}), suppressed: true, reason: status };
}

function protectTable(table: ResultTable, selection: number, k: number, yesNo: boolean): ResultTable<number | null> {
  const counts = table.options.map((o) => o.count);
  const { options, noAnswer } = yesNo ? (({ yes, noAnswer }) => ({ options: yes, noAnswer }))(suppressYesNo(counts, table.base, selection, k)) : suppressSingle(counts, table.base, selection, k);
  const baseShown = noAnswer === 'shown';
  const weightedBaseHidden = !baseShown && 'weightedBase' in table ? { weightedBase: null, effectiveBase: null, designEffect: null } : {};
  return {
    ...table,
    base: baseShown ? table.base : null,
    ...weightedBaseHidden,
    options: table.options.map((o, i) => hide(baseShown ? o : { ...o, percent: null, ...noWeightedShare(o) }, options[i])),
  };
}

/** The commune list with every commune under K merged into one cell. */
function mergeSmallCommunes(table: ResultTable, k: number): ResultTable {
  const kept = table.options.filter((o) => !isSmall(o.count, k));
  const merged = table.options.filter((o) => isSmall(o.count, k)).reduce((a, o) => a + o.count, 0);
  if (!merged) return { ...table, options: kept };
  const base = table.base;
  const cell: OptionResult = { code: OTHER_COMMUNES_CODE, label: t.otherCommunes(k), count: merged, percent: base > 0 ? Math.round((merged / base) * 1000) / 10 : null };
  if (table.weightedBase != null) {
    // Weighted results: the merged cell's weights, share and interval (on the base's effective size).
    const sum = table.options.filter((o) => isSmall(o.count, k)).reduce((a, o) => a + (o.weightedCount ?? 0), 0);
    const ci = table.effectiveBase && table.weightedBase > 0 ? wilson((sum / table.weightedBase) * table.effectiveBase, table.effectiveBase) : null;
    Object.assign(cell, {
      weightedCount: Math.round(sum * 100) / 100,
      weightedPercent: table.weightedBase > 0 ? Math.round((1000 * sum) / table.weightedBase) / 10 : null,
      ciLow: ci ? Math.round(1000 * ci.low) / 10 : null,
      ciHigh: ci ? Math.round(1000 * ci.high) / 10 : null,
    });
  }
  return { ...table, options: [...kept, cell] };
}

/**
 * A recode of a table the viewer also sees: its groups are sums of the source's cells, so a group
 * holding a hidden source cell is hidden too (else the hidden cell would be its group minus the
 * visible cells), and so is the recode's « sans réponse » (its base) when it holds one (a source
 * code in no group, or the source's own « sans réponse »). Then the usual suppression over the
 * groups, those already hidden counting as hidden.
 */
function protectRecode(table: ResultTable, source: ResultTable<number | null> | undefined, selection: number, k: number): ResultTable<number | null> {
  const groups = table.derived?.kind === 'recode' ? table.derived.groups : [];
  const hiddenCodes = new Set((source?.options ?? []).filter((o) => o.count === null).map((o) => o.code));
  const grouped = new Set(groups.flatMap((g) => g.sources));
  // Without its source table (never the case today) nothing is known: every cell hidden.
  const forced = table.options.map((o) => !source || (groups.find((g) => g.code === o.code)?.sources ?? []).some((c) => hiddenCodes.has(c)));
  const noAnswerForced = !source || source.base === null || [...hiddenCodes].some((c) => !grouped.has(c));
  const counts = [...table.options.map((o) => o.count), selection - table.base];
  const status = suppressGroup(counts, k, { hidden: [...forced, noAnswerForced], cost: [...table.options.map((o) => o.count), 2 * selection + 1] });
  // suppressGroup keeps every forced cell hidden, unless it counts nobody (0 hides nothing).
  const baseShown = status[counts.length - 1] === 'shown';
  const weightedBaseHidden = !baseShown && 'weightedBase' in table ? { weightedBase: null, effectiveBase: null, designEffect: null } : {};
  return {
    ...table,
    base: baseShown ? table.base : null,
    ...weightedBaseHidden,
    options: table.options.map((o, i) => hide(baseShown ? o : { ...o, percent: null, ...noWeightedShare(o) }, status[i])),
  };
}

function protectQuestion(q: QuestionResult, selection: number, k: number): QuestionResult<number | null> {
  const hasGroups = q.type === 'integer' && q.tables.some((table) => table.id === sub(q.id, AGE_GROUP_SUFFIX));
  // Themes come from free text: analysts and admins only, never in protected results.
  const own = q.tables.filter((table) => !table.derived && !(hasGroups && table.id === q.id));
  const protectedOwn = own.map((table) => {
    const yesNo = table.multiple || q.type === 'text' || q.type === 'longtext';
    const source = q.type === 'commune' && table.id === q.id ? mergeSmallCommunes(table, k) : table;
    return protectTable(source, selection, k, yesNo);
  });
  const byId = new Map(protectedOwn.map((table) => [table.id, table]));
  const recodes = q.tables
    .filter((table) => table.derived?.kind === 'recode')
    .map((table) => protectRecode(table, byId.get((table.derived as { source: string }).source), selection, k));
  const tables = [...protectedOwn, ...recodes];
  const out: QuestionResult<number | null> = { ...q, tables };
  if (q.stats) {
    // The base of the statistics is the integer question's base (its groups table has the same).
    const base = tables[0]?.base ?? null;
    const visible = base !== null && base >= k;
    out.stats = { count: base, mean: visible ? q.stats.mean : null, median: visible ? q.stats.median : null, min: null, max: null };
  }
  return out;
}

/**
 * Results for a protected viewer (`results` computed over released responses): the selection
 * threshold, then primary and complementary suppression in every table.
 */
export function protectResults(results: Results, k: number): PublishedResults {
  const disclosure = { audience: 'protected' as Audience, minGroupSize: k };
  const hiddenWeighting = results.weighting && { responses: null, unweighted: 0, weightedTotal: null, effectiveN: null, designEffect: null };
  if (selectionWithheld(results.responses, k)) {
    return { ...results, responses: null, questions: [], ...(hiddenWeighting ? { weighting: hiddenWeighting } : {}), disclosure: { ...disclosure, withheld: t.withheld(k) } };
  }
  if (results.weighting && results.weighting.unweighted > 0) {
    return { ...results, responses: null, questions: [], weighting: hiddenWeighting, disclosure: { ...disclosure, withheld: fr.weighted.notUpToDate } };
  }
  return {
    ...results,
    questions: results.questions.map((q) => protectQuestion(q, results.responses, k)),
    disclosure: { ...disclosure, notice: t.protectedNotice(k) },
  };
}

/** Results for an analyst or an admin: every figure, and the reminder that small ones are there. */
export function fullResults(results: Results, k: number): Results {
  return { ...results, disclosure: { audience: 'full', minGroupSize: k, notice: t.fullNotice(k) } };
}

/** protectResults or fullResults, by audience. */
export function resultsFor(audience: Audience, results: Results, k: number): PublishedResults {
  return audience === 'full' ? fullResults(results, k) : protectResults(results, k);
}
