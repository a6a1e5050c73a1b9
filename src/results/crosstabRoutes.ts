import express, { type Request, type Response } from 'express';
import type { Campaign } from '../campaign/campaign.js';
import type { Db } from '../db/connection.js';
import { csvLine, decimal, dialectOf, neutralizeFormula } from '../exports/csv.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { audit } from '../staff/audit.js';
import { requireApi, requirePage } from '../staff/auth.js';
import { fr } from '../strings.js';
import type { Territory } from '../territory/communes.js';
import { crossVariables, crosstab, findCrossVariables, formatP, readCrosstab, type Crosstab, type CrosstabError } from './crosstab.js';
import { filterForm } from './dashboardView.js';
import { allVariables } from './derived.js';
import { parseFilters, type Filter, type FilterError } from './filters.js';
import { ensureWeights, type CurrentWeights } from '../weights/current.js';

export type CrosstabDeps = { db: Db; questionnaire: Questionnaire; territory: Territory; campaign: () => Campaign; now: () => Date };

const pct = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const int = new Intl.NumberFormat('fr-FR');
const fmt = (p: number | null) => (p === null ? '–' : `${pct.format(p)}\u202f%`);
const ci = (lo: number | null, hi: number | null) => (lo === null || hi === null ? '' : `${pct.format(lo)} – ${pct.format(hi)}`);
const r6 = (x: number | null) => (x === null ? null : Math.round(x * 1e6) / 1e6);

/** The JSON shape of a crosstab (documented in the README). */
export function crosstabJson(ct: Crosstab, weights: CurrentWeights | null = null) {
  const w = ct.weighted;
  const json = {
    row: { id: ct.row.id, label: ct.row.label, multiple: ct.row.multiple, codes: ct.rows },
    col: { id: ct.col.id, label: ct.col.label, multiple: ct.col.multiple, codes: ct.cols },
    responses: ct.responses,
    base: ct.base,
    cells: ct.cells.flat().map((c) => ({
      row: c.row,
      col: c.col,
      count: c.count,
      row_percent: r6(c.rowShare.percent),
      row_ci_low: r6(c.rowShare.ciLow),
      row_ci_high: r6(c.rowShare.ciHigh),
      col_percent: r6(c.colShare.percent),
      col_ci_low: r6(c.colShare.ciLow),
      col_ci_high: r6(c.colShare.ciHigh),
    })),
    row_totals: ct.rowTotals.map((t) => ({ code: t.code, count: t.count, percent: r6(t.share.percent) })),
    col_totals: ct.colTotals.map((t) => ({ code: t.code, count: t.count, percent: r6(t.share.percent) })),
    test: ct.test && { chi2: ct.test.chi2, df: ct.test.df, p_value: ct.test.pValue, min_expected: ct.test.minExpected },
    option_tests: ct.optionTests.map((o) => ({ code: o.code, chi2: o.test?.chi2 ?? null, df: o.test?.df ?? null, p_value: o.test?.pValue ?? null, min_expected: o.test?.minExpected ?? null })),
    ratios: ct.ratios?.map((r) => ({ col: r.col, ratio: r.ratio?.ratio ?? null, ci_low: r.ratio?.low ?? null, ci_high: r.ratio?.high ?? null })) ?? null,
    readings: readCrosstab(ct),
  };
  if (!w) return json;
  // Weighted (weighted=1): shares of weighted sums; counts stay respondents; intervals and tests
  // on Kish's effective sample size of each base.
  return {
    ...json,
    weighted: { sum_of_weights: r6(w.sum), effective_n: r6(w.effectiveN), design_effect: weights && r6(weights.deff) },
    cells: json.cells.map((c, i) => ({ ...c, weighted_count: r6(ct.cells.flat()[i].weighted) })),
    row_totals: json.row_totals.map((t, i) => ({ ...t, weighted_count: r6(ct.rowTotals[i].weighted), effective_n: r6(ct.rowTotals[i].effectiveN) })),
    col_totals: json.col_totals.map((t, i) => ({ ...t, weighted_count: r6(ct.colTotals[i].weighted), effective_n: r6(ct.colTotals[i].effectiveN) })),
  };
}

/** weighted=1 (or true, on) asks for weighted results. */
export const wantsWeighted = (query: Request['query']) => {
  // Repeated (a chip's link and a kept parameter): the last one, as the filters read it.
  const v = Array.isArray(query.weighted) ? query.weighted.at(-1) : query.weighted;
  return ['1', 'true', 'on'].includes(String(v ?? '').trim().toLowerCase());
};

export const CROSSTAB_CSV_HEADER = ['row_variable', 'row_code', 'row_label', 'col_variable', 'col_code', 'col_label', 'count', 'row_percent', 'row_ci_low', 'row_ci_high', 'col_percent', 'col_ci_low', 'col_ci_high'] as const;

/**
 * Crosstabs of two variables for analysts and admins: a page, JSON and CSV with the same
 * parameters (`row`, `col` and the usual filters).
 */
export function crosstabRouter(deps: CrosstabDeps) {
  const { db, questionnaire: q, territory } = deps;
  const router = express.Router();
  // The questionnaire's variables and the derived ones (recodes, themes) as stored now.
  const crossable = () => crossVariables(q, allVariables(db, q));

  const read = (req: Request): { filter: Filter; filterErrors: FilterError[]; vars: ReturnType<typeof findCrossVariables> } => {
    const parsed = parseFilters(req.query, q, { channels: deps.campaign().channels.map((c) => c.code), communeExists: (code) => territory.byInsee.has(code), db });
    return {
      filter: parsed.ok ? parsed.filter : { answers: [], channels: [], excludeFlagged: false },
      filterErrors: parsed.ok ? [] : parsed.errors,
      vars: findCrossVariables(q, req.query.row, req.query.col, crossable()),
    };
  };

  router.get('/resultats/croisement', requirePage('admin', 'analyst'), (req, res) => {
    const { filter, filterErrors, vars } = read(req);
    const chosen = req.query.row !== undefined || req.query.col !== undefined;
    const errors: CrosstabError[] = 'errors' in vars && chosen ? vars.errors : [];
    const rowId = typeof req.query.row === 'string' ? req.query.row : '';
    const colId = typeof req.query.col === 'string' ? req.query.col : '';
    const form = filterForm(q, deps.campaign(), filter, '/resultats/croisement', [], {}, undefined, undefined, allVariables(db, q));
    const variables = crossable();
    const weighted = wantsWeighted(req.query);
    const weights = weighted ? ensureWeights(db, q) : null;
    const keep = new URLSearchParams({ row: rowId, col: colId, ...(weighted ? { weighted: '1' } : {}) });
    const filters = {
      ...form,
      hidden: [...form.hidden, { name: 'row', value: rowId }, { name: 'col', value: colId }, ...(weighted ? [{ name: 'weighted', value: '1' }] : [])],
      chips: form.chips.map((c) => ({ ...c, removeHref: `${c.removeHref}${c.removeHref.includes('?') ? '&' : '?'}${keep}` })),
      clearHref: `/resultats/croisement?${keep}`,
    };
    let table;
    if (!('errors' in vars) && !filterErrors.length) table = tableView(crosstab(db, q, vars.row, vars.col, filter, { weighted: weights !== null }), weights);
    const query = new URLSearchParams(req.query as Record<string, string>).toString();
    res.status(errors.length || filterErrors.length ? 400 : 200).render('results/crosstab', {
      pageTitle: errors.length ? `Erreur : ${fr.crosstabPage.title}` : fr.crosstabPage.title,
      dashboard: true,
      crosstabPage: true,
      filters,
      filterErrors,
      errors,
      rowError: errors.find((e) => e.field === 'row')?.message,
      colError: errors.find((e) => e.field === 'col')?.message,
      rowOptions: variables.map((v) => ({ id: v.id, label: v.label, selected: v.id === rowId })),
      colOptions: variables.map((v) => ({ id: v.id, label: v.label, selected: v.id === colId })),
      table,
      exportQuery: query,
      weighted,
      weightsMissing: weighted && !weights,
      styles: ['/static/css/weights.css'],
    });
  });

  const apiGuard = requireApi('admin', 'analyst');
  const orBad = (req: Request, res: Response, asText: boolean): { ct: Crosstab; weights: CurrentWeights | null } | undefined => {
    const { filter, filterErrors, vars } = read(req);
    const weights = wantsWeighted(req.query) ? ensureWeights(db, q) : null;
    const errors: { field: string; message: string }[] = [...filterErrors, ...('errors' in vars ? vars.errors : [])];
    if (wantsWeighted(req.query) && !weights) errors.push({ field: 'weighted', message: fr.weights.crosstab.none });
    if (errors.length) {
      if (asText) res.status(400).type('text/plain; charset=utf-8').send(`${fr.crosstabPage.invalid}\n${errors.map((e) => `- ${e.field} : ${e.message}`).join('\n')}\n`);
      else res.status(400).json({ errors });
      return undefined;
    }
    if ('errors' in vars) return undefined;
    return { ct: crosstab(db, q, vars.row, vars.col, filter, { weighted: weights !== null }), weights };
  };

  router.get('/api/crosstab.json', apiGuard, (req, res) => {
    const r = orBad(req, res, false);
    if (r) res.json(crosstabJson(r.ct, r.weights));
  });

  router.get('/export/crosstab.csv', apiGuard, (req, res) => {
    const r = orBad(req, res, true);
    if (!r) return;
    const { ct } = r;
    sendCrosstabCsv(db, req, res, ct, deps.now());
  });

  return router;
}

/** What the crosstab CSV needs of a crosstab, the analysts' one or the protected one (hidden figures null). */
type CsvCrosstab = {
  row: { id: string };
  col: { id: string };
  rows: readonly { code: string; label: string }[];
  cols: readonly { code: string; label: string }[];
  weighted?: unknown;
  cells: readonly (readonly {
    row: string;
    col: string;
    count: number | null;
    weighted?: number | null;
    rowShare: { percent: number | null; ciLow: number | null; ciHigh: number | null };
    colShare: { percent: number | null; ciLow: number | null; ciHigh: number | null };
  }[])[];
};

/**
 * `/export/crosstab.csv` for analysts and facilitators alike: one line per cell; hidden cells have
 * an empty count and shares (a script reads « no figure », never a made-up zero); weighted, a
 * weighted_count column after count (count stays respondents). Audited like every export.
 */
export function sendCrosstabCsv(db: Db, req: Request, res: Response, ct: CsvCrosstab, now: Date): void {
  const w = ct.weighted !== null && ct.weighted !== undefined;
  const d = dialectOf(req.query.excel === '1' || req.query.excel === 'true');
  const rowLabel = new Map(ct.rows.map((c) => [c.code, c.label]));
  const colLabel = new Map(ct.cols.map((c) => [c.code, c.label]));
  const header = w ? [...CROSSTAB_CSV_HEADER.slice(0, 7), 'weighted_count', ...CROSSTAB_CSV_HEADER.slice(7)] : CROSSTAB_CSV_HEADER;
  const lines = [csvLine(header, d)];
  for (const c of ct.cells.flat()) {
    lines.push(
      csvLine(
        [
          ct.row.id,
          c.row,
          neutralizeFormula(rowLabel.get(c.row) ?? ''),
          ct.col.id,
          c.col,
          neutralizeFormula(colLabel.get(c.col) ?? ''),
          c.count ?? '',
          ...(w ? [decimal(c.weighted ?? null, d, 4)] : []),
          decimal(c.rowShare.percent, d, 2),
          decimal(c.rowShare.ciLow, d, 2),
          decimal(c.rowShare.ciHigh, d, 2),
          decimal(c.colShare.percent, d, 2),
          decimal(c.colShare.ciLow, d, 2),
          decimal(c.colShare.ciHigh, d, 2),
        ],
        d,
      ),
    );
  }
  if (req.method !== 'HEAD') {
    audit(db, req.staff!.email, 'export.download', { export: 'croisement', filtres: new URLSearchParams(req.query as Record<string, string>).toString(), via: req.staffVia }, now);
  }
  res
    .status(200)
    .set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Disposition': `attachment; filename="mon-avenir-en-artois-croisement-${ct.row.id}-${ct.col.id}.csv"`, 'Cache-Control': 'no-store' })
    .send((d.bom ? '\ufeff' : '') + lines.join(''));
}

/** The table as shown: counts, the share that reads naturally with its interval, margins. */
function tableView(ct: Crosstab, weights: CurrentWeights | null = null) {
  // Exclusive rows: read along the row (share of the row's respondents). A multiple-choice row
  // variable: read down the column (share of the column's respondents who ticked the option).
  const alongRow = !ct.row.multiple;
  const test = ct.test;
  // Codes nobody in the table gave (a group filtered out, an unused answer) are left off the
  // page and the chart; the JSON and CSV keep every code.
  const rowIdx = ct.rows.map((_, i) => i).filter((i) => ct.rowTotals[i].count > 0);
  const colIdx = ct.cols.map((_, j) => j).filter((j) => ct.colTotals[j].count > 0);
  return {
    rowLabel: ct.row.label,
    colLabel: ct.col.label,
    base: int.format(ct.base),
    baseText: ct.weighted
      ? fr.weights.crosstab.base(int.format(ct.base), pct.format(ct.weighted.effectiveN), int.format(ct.responses))
      : fr.crosstabPage.base(int.format(ct.base), int.format(ct.responses)),
    weightedNote: ct.weighted && weights ? fr.weights.crosstab.note(pct.format(weights.effectiveN), new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 3, maximumFractionDigits: 3 }).format(weights.deff)) : null,
    shareLabel: alongRow ? fr.crosstabPage.rowShare : fr.crosstabPage.colShare,
    cols: colIdx.map((j) => ({ label: ct.cols[j].label, total: int.format(ct.colTotals[j].count) })),
    rows: rowIdx.map((i) => {
      const total = ct.rowTotals[i];
      return {
        label: ct.rows[i].label,
        total: int.format(total.count),
        cells: colIdx.map((j) => ct.cells[i][j]).map((c) => {
          const s = alongRow ? c.rowShare : c.colShare;
          return { count: int.format(c.count), percent: fmt(s.percent), ci: ci(s.ciLow, s.ciHigh), width: s.percent === null ? 0 : Math.round(s.percent) };
        }),
      };
    }),
    showTotals: !ct.row.multiple,
    test: test && { chi2: pct.format(test.chi2), df: test.df, p: formatP(test.pValue), small: test.minExpected < 5 },
    readings: readCrosstab(ct),
    chart: JSON.stringify({
      rows: rowIdx.map((i) => ct.rows[i].label),
      cols: colIdx.map((j) => ct.cols[j].label),
      percents: rowIdx.map((i) => colIdx.map((j) => ct.cells[i][j]).map((c) => (alongRow ? c.rowShare.percent : c.colShare.percent) ?? 0)),
      stacked: alongRow && !ct.col.multiple,
    }),
  };
}
