import type { Request, Response } from 'express';
import type { Territory } from './communes.js';

/**
 * GET /api/communes?q=: autocomplete for the commune field (a progressive enhancement; the
 * datalist works without it). A plain handler, mounted among the app's public GET routes.
 */
export function communesHandler(territory: Territory) {
  return (req: Request, res: Response) => {
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 80) : '';
    res.set('Cache-Control', 'public, max-age=86400');
    res.json(
      territory.search(q, 10).map((c) => ({ insee: c.insee, nom: c.displayName, codePostal: c.postalCodes[0] ?? null })),
    );
  };
}
