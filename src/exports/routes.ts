import express, { type Request, type Response } from 'express';
import type { Campaign } from '../campaign/campaign.js';
import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { computeResults } from '../results/aggregate.js';
import { derivedFor } from '../results/derived.js';
import { parseFilters, type Filter } from '../results/filters.js';
import { audit } from '../staff/audit.js';
import { requireApi } from '../staff/auth.js';
import { fr } from '../strings.js';
import type { Territory } from '../territory/communes.js';
import { weightingCheck } from '../results/weightedView.js';
import { writeCodebookCsv } from './codebook.js';
import { writeResponsesCsv } from './responses-csv.js';
import { figureTables, resultsCsvChunks } from './results-csv.js';
import { dialectOf, pump } from './csv.js';

export type ExportsDeps = {
  db: Db;
  questionnaire: Questionnaire;
  territory: Territory;
  campaign: () => Campaign;
  now: () => Date;
};

const flag = (v: unknown) => v === '1' || v === 'true';

/**
 * CSV downloads for analysts and admins, from a browser session or a script with a personal
 * token (Authorization: Bearer …). Streamed: memory stays flat whatever the number of responses.
 * Every download is in the audit log with its filters.
 */
export function exportsRouter(deps: ExportsDeps) {
  const { db, questionnaire: q, territory } = deps;
  const router = express.Router();
  const guard = requireApi('admin', 'analyst');
  const weighting = weightingCheck(db, q);

  /** Filters of the query, or a 400 in French listing every problem. */
  const filterOr400 = (req: Request, res: Response, opts: { weighted?: boolean } = {}): Filter | undefined => {
    const parsed = parseFilters(req.query, q, {
      channels: deps.campaign().channels.map((c) => c.code),
      communeExists: (code) => territory.byInsee.has(code),
      db,
    });
    if (parsed.ok) {
      // weighted=1 without a weighting in force: refused as a bad filter is, in French.
      const refused = opts.weighted ? weighting.error(parsed.filter) : null;
      if (!refused) return parsed.filter;
      res.status(400).type('text/plain; charset=utf-8').send(`${fr.weighted.csvError}\n- ${refused.field} : ${refused.message}\n`);
      return undefined;
    }
    res
      .status(400)
      .type('text/plain; charset=utf-8')
      .send(`Filtres invalides :\n${parsed.errors.map((e) => `- ${e.field} : ${e.message}`).join('\n')}\n`);
    return undefined;
  };

  /** Headers of the download; undefined for HEAD, which then ends without a body. */
  const start = (req: Request, res: Response, name: string): boolean | undefined => {
    const excel = flag(req.query.excel);
    const day = deps.now().toISOString().slice(0, 10);
    const file = `mon-avenir-en-artois-${name}${excel ? '-excel' : ''}-${day}.csv`;
    res.status(200).set({
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${file}"`,
      'Cache-Control': 'no-store',
    });
    const query = new URLSearchParams(req.query as Record<string, string>).toString();
    // HEAD (a link checker, a download manager probing the size) downloads nothing.
    if (req.method === 'HEAD') return undefined;
    audit(db, req.staff!.email, 'export.download', { export: name, filtres: query || '(aucun)', via: req.staffVia }, deps.now());
    return excel;
  };

  /** Once the CSV has started, an error can only cut the download short (no error page). */
  const streamed =
    (fn: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response, next: express.NextFunction) => {
      try {
        await fn(req, res);
      } catch (e) {
        if (res.headersSent) res.destroy(e as Error);
        else next(e);
      }
    };

  router.get(
    '/export/results.csv',
    guard,
    streamed(async (req, res) => {
      const filter = filterOr400(req, res, { weighted: true });
      if (!filter) return;
      const excel = start(req, res, 'resultats');
      if (excel === undefined) return void res.end();
      const results = computeResults(db, q, filter, { communeName: (c) => territory.byInsee.get(c)?.name ?? c });
      await pump(resultsCsvChunks(results, dialectOf(excel)), res, { end: true });
    }),
  );

  // One table of the dashboard (« Tableau CSV » under each chart), with the page's filters: the
  // rows of results.csv for that figure only. Figures, never responses.
  router.get(
    '/resultats/tableau.csv',
    guard,
    streamed(async (req, res) => {
      const filter = filterOr400(req, res, { weighted: true });
      if (!filter) return;
      const results = computeResults(db, q, filter, { communeName: (c) => territory.byInsee.get(c)?.name ?? c });
      const id = typeof req.query.tableau === 'string' ? req.query.tableau : '';
      const only = figureTables(results, id);
      if (!only) {
        res.status(404).type('text/plain; charset=utf-8').send(`${fr.results.questionNotFound}\n`);
        return;
      }
      const excel = start(req, res, `tableau-${id.replace(/[^a-z0-9_]/g, '')}`);
      await pump(resultsCsvChunks(results, dialectOf(excel), only), res, { end: true });
    }),
  );

  router.get(
    '/export/responses.csv',
    guard,
    streamed(async (req, res) => {
      const filter = filterOr400(req, res);
      if (!filter) return;
      const excel = start(req, res, 'reponses');
      if (excel === undefined) return void res.end();
      await writeResponsesCsv(db, q, res, { filter, labels: flag(req.query.labels), excel, screened: flag(req.query.screened) });
    }),
  );

  router.get(
    '/export/codebook.csv',
    guard,
    streamed(async (req, res) => {
      const excel = start(req, res, 'dictionnaire');
      if (excel === undefined) return void res.end();
      await writeCodebookCsv(q, res, { excel, derived: derivedFor(db, q) });
    }),
  );

  return router;
}
