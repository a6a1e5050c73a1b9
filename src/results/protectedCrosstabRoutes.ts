import express, { type NextFunction, type Request, type Response } from 'express';
import type { Db } from '../db/connection.js';
import { protectCrosstab, type PublishedCrosstab } from '../privacy/crosstab.js';
import { allowedFilterVariables, audienceOf } from '../privacy/disclosure.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { fr } from '../strings.js';
import { crossVariables, crosstab, formatP, type CrossVariable } from './crosstab.js';
import { crosstabMargins } from './crosstabMargins.js';
import { sendCrosstabCsv } from './crosstabRoutes.js';
import { frResults } from './strings.js';
import { NO_FILTER } from './filters.js';
import { filterVariables } from './model.js';

// Crosstabs for facilitators (anyone who is not an analyst): the same page, JSON and CSV as the
// analysts' (crosstabRoutes.ts), through disclosure control (src/privacy/crosstab.ts):
//  - over released responses only (they move by steps of K);
//  - only the variables a protected viewer may filter on (the coarse profile questions);
//  - no filter at all: a filter is a third variable, and two crosstabs of the same pair with and
//    without a filter difference to the crosstab of the few people the filter left out, which a
//    suppression of each table alone does not see. Crossing the filter's question instead gives
//    the same information, protected.
// Analysts and admins fall through to crosstabRoutes.ts, which also answers everybody else.

export type ProtectedCrosstabDeps = { db: Db; questionnaire: Questionnaire; minGroupSize: number; now?: () => Date };

const t = fr.crosstabProtected;
const int = new Intl.NumberFormat('fr-FR');
const pct = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const r6 = (x: number | null) => (x === null ? null : Math.round(x * 1e6) / 1e6);
/** The query keys a facilitator's crosstab reads; anything else is a filter, refused. */
const ALLOWED_KEYS = new Set(['row', 'col', 'excel']);

type Problem = { field: string; message: string };

export function protectedCrosstabRouter(deps: ProtectedCrosstabDeps) {
  const { db, questionnaire: q } = deps;
  const k = deps.minGroupSize;
  const now = deps.now ?? (() => new Date());
  const router = express.Router();
  const allowed = allowedFilterVariables(filterVariables(q), q.sections[0].id);
  const variables = crossVariables(q).filter((v) => allowed.has(v.id));
  const byId = new Map(variables.map((v) => [v.id, v]));
  const labelOf = new Map(crossVariables(q).map((v) => [v.id, v.label]));

  /** Protected viewers signed in with a browser session; everyone else goes to the analysts' routes. */
  const protectedOnly = (req: Request, _res: Response, next: NextFunction) =>
    req.staff && req.staffVia === 'session' && audienceOf(req.staff.role) === 'protected' ? next() : next('router');

  const read = (req: Request): { row?: CrossVariable; col?: CrossVariable; problems: Problem[]; chosen: boolean } => {
    const problems: Problem[] = [];
    const keys = Object.keys(req.query);
    if (keys.some((key) => !ALLOWED_KEYS.has(key))) problems.push({ field: 'filtres', message: t.filtersRefused });
    const pick = (field: 'row' | 'col') => {
      const id = req.query[field];
      if (typeof id !== 'string' || id === '') problems.push({ field, message: frResults.crosstab.missing(field) });
      else if (!byId.has(id)) problems.push({ field, message: labelOf.has(id) ? t.variableRefused(labelOf.get(id)!) : frResults.crosstab.unknown(id.slice(0, 60)) });
      return typeof id === 'string' ? byId.get(id) : undefined;
    };
    const row = pick('row');
    const col = pick('col');
    if (row && col && row.id === col.id) problems.push({ field: 'col', message: frResults.crosstab.same });
    return { row, col, problems, chosen: req.query.row !== undefined || req.query.col !== undefined };
  };

  /** The protected crosstab of two variables, over released responses, in one snapshot. */
  const compute = (row: CrossVariable, col: CrossVariable): PublishedCrosstab => {
    const filter = { ...NO_FILTER, releasedOnly: true };
    return db.transaction(() => protectCrosstab(crosstab(db, q, row, col, filter), crosstabMargins(db, q, row, col, filter), k))();
  };

  router.get('/resultats/croisement', protectedOnly, (req, res) => {
    const { row, col, problems, chosen } = read(req);
    const shown = chosen ? problems : problems.filter((p) => p.field === 'filtres');
    const table = !problems.length && row && col ? tableView(compute(row, col)) : undefined;
    const rowId = typeof req.query.row === 'string' ? req.query.row : '';
    const colId = typeof req.query.col === 'string' ? req.query.col : '';
    res.status(shown.length ? 400 : 200).render('results/crosstab-protected', {
      pageTitle: shown.length ? `Erreur : ${fr.crosstabPage.title}` : fr.crosstabPage.title,
      dashboard: true,
      errors: shown,
      rowError: shown.find((e) => e.field === 'row')?.message,
      colError: shown.find((e) => e.field === 'col')?.message,
      rowOptions: variables.map((v) => ({ id: v.id, label: v.label, selected: v.id === rowId })),
      colOptions: variables.map((v) => ({ id: v.id, label: v.label, selected: v.id === colId })),
      notice: t.notice(k),
      table,
      exportQuery: row && col ? new URLSearchParams({ row: row.id, col: col.id }).toString() : '',
    });
  });

  const orBad = (req: Request, res: Response, asText: boolean): PublishedCrosstab | undefined => {
    const { row, col, problems } = read(req);
    if (problems.length || !row || !col) {
      if (asText) res.status(400).type('text/plain; charset=utf-8').send(`${fr.crosstabPage.invalid}\n${problems.map((e) => `- ${e.field} : ${e.message}`).join('\n')}\n`);
      else res.status(400).json({ errors: problems });
      return undefined;
    }
    return compute(row, col);
  };

  router.get('/api/crosstab.json', protectedOnly, (req, res) => {
    const ct = orBad(req, res, false);
    if (ct) res.json(publishedCrosstabJson(ct));
  });

  router.get('/export/crosstab.csv', protectedOnly, (req, res) => {
    const ct = orBad(req, res, true);
    if (!ct) return;
    sendCrosstabCsv(db, req, res, ct, now());
  });

  return router;
}

/** The analysts' JSON shape (README), hidden figures null, with each cell's status and the disclosure. */
export function publishedCrosstabJson(ct: PublishedCrosstab) {
  return {
    row: { id: ct.row.id, label: ct.row.label, multiple: ct.row.multiple, codes: ct.rows },
    col: { id: ct.col.id, label: ct.col.label, multiple: ct.col.multiple, codes: ct.cols },
    responses: ct.responses,
    base: ct.base,
    cells: ct.cells.flat().map((c) => ({
      row: c.row,
      col: c.col,
      count: c.count,
      // Every hidden cell alike: telling which are small would narrow them (tableAudit tests).
      ...(c.status === 'shown' ? {} : { suppressed: true }),
      row_percent: r6(c.rowShare.percent),
      row_ci_low: r6(c.rowShare.ciLow),
      row_ci_high: r6(c.rowShare.ciHigh),
      col_percent: r6(c.colShare.percent),
      col_ci_low: r6(c.colShare.ciLow),
      col_ci_high: r6(c.colShare.ciHigh),
    })),
    row_totals: ct.rowTotals.map((x) => ({ code: x.code, count: x.count, percent: r6(x.share.percent) })),
    col_totals: ct.colTotals.map((x) => ({ code: x.code, count: x.count, percent: r6(x.share.percent) })),
    test: ct.test && { chi2: ct.test.chi2, df: ct.test.df, p_value: ct.test.pValue, min_expected: ct.test.minExpected },
    option_tests: ct.optionTests.map((o) => ({ code: o.code, chi2: o.test?.chi2 ?? null, df: o.test?.df ?? null, p_value: o.test?.pValue ?? null, min_expected: o.test?.minExpected ?? null })),
    ratios: ct.ratios?.map((r) => ({ col: r.col, ratio: r.ratio?.ratio ?? null, ci_low: r.ratio?.low ?? null, ci_high: r.ratio?.high ?? null })) ?? null,
    readings: ct.readings,
    disclosure: ct.disclosure,
  };
}

/** The table as a facilitator sees it: « masqué » in place of every hidden figure. */
function tableView(ct: PublishedCrosstab) {
  if (ct.disclosure.withheld) return { withheld: ct.disclosure.withheld, rowLabel: ct.row.label, colLabel: ct.col.label };
  const alongRow = !ct.row.multiple;
  const num = (n: number | null) => (n === null ? t.hidden : `n = ${int.format(n)}`);
  const share = (s: { percent: number | null; ciLow: number | null; ciHigh: number | null }) => ({
    percent: s.percent === null ? '–' : `${pct.format(s.percent)}\u202f%`,
    ci: s.ciLow === null || s.ciHigh === null ? '' : `${pct.format(s.ciLow)} – ${pct.format(s.ciHigh)}`,
  });
  // As on the analysts' page, codes nobody in the table gave are left off (a hidden total stays).
  const rowIdx = ct.rows.map((_, i) => i).filter((i) => ct.rowTotals[i].count !== 0);
  const colIdx = ct.cols.map((_, j) => j).filter((j) => ct.colTotals[j].count !== 0);
  return {
    rowLabel: ct.row.label,
    colLabel: ct.col.label,
    baseText: ct.base === null ? t.baseHidden(int.format(ct.responses ?? 0)) : fr.crosstabPage.base(int.format(ct.base), int.format(ct.responses ?? 0)),
    shareLabel: alongRow ? fr.crosstabPage.rowShare : fr.crosstabPage.colShare,
    cols: colIdx.map((j) => ({ label: ct.cols[j].label, total: num(ct.colTotals[j].count) })),
    rows: rowIdx.map((i) => ({
      label: ct.rows[i].label,
      total: num(ct.rowTotals[i].count),
      cells: colIdx.map((j) => ct.cells[i][j]).map((c) => {
        const s = share(alongRow ? c.rowShare : c.colShare);
        return c.count === null ? { hidden: t.hidden } : { count: int.format(c.count), ...s };
      }),
    })),
    base: ct.base === null ? t.hidden : `n = ${int.format(ct.base)}`,
    showTotals: !ct.row.multiple,
    test: ct.test && { chi2: pct.format(ct.test.chi2), df: ct.test.df, p: formatP(ct.test.pValue) },
    readings: ct.readings,
  };
}
