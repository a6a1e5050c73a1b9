import express from 'express';
import type { Territory } from './communes.js';

/** Autocomplete for the commune field (a progressive enhancement; the datalist works without it). */
export function territoryRouter(territory: Territory) {
  const router = express.Router();
  router.get('/api/communes', (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 80) : '';
    res.set('Cache-Control', 'public, max-age=86400');
    res.json(
      territory.search(q, 10).map((c) => ({ insee: c.insee, nom: c.displayName, codePostal: c.postalCodes[0] ?? null })),
    );
  });
  return router;
}
