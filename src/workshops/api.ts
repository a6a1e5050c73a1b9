import express from 'express';
import type { Db } from '../db/connection.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { audit } from '../staff/audit.js';
import { requireApi } from '../staff/auth.js';
import { fr } from '../strings.js';
import { readWorkshop, type PollConfig, type ScaleConfig } from './activities.js';
import type { WorkshopLive } from './live.js';
import type { WorkshopStore } from './store.js';

export type WorkshopApiDeps = { db: Db; store: WorkshopStore; live: WorkshopLive; questionnaire: Questionnaire; now: () => Date; baseUrl?: string };

/**
 * The workshops by JSON, for a facilitator's script with a personal token (Authorization: Bearer).
 * POST /api/workshops, POST /api/workshops/<id>/current, GET /api/workshops/<id>/results.
 */
export function workshopApi(deps: WorkshopApiDeps) {
  const { store, live } = deps;
  const router = express.Router();
  const guard = requireApi('admin', 'facilitator');
  // JSON bodies are read here only: the rest of the app takes HTML forms alone.
  const json = express.json({ limit: '64kb', type: 'application/json' });
  const readJson: express.RequestHandler = (req, res, next) =>
    json(req, res, (err?: unknown) => {
      const e = err as { type?: string } | undefined;
      if (e?.type === 'entity.parse.failed') return void res.status(400).json({ errors: [{ field: 'body', message: fr.workshops.api.badJson }] });
      if (e?.type === 'entity.too.large') return void res.status(413).json({ errors: [{ field: 'body', message: fr.workshops.api.tooLarge }] });
      if (err) return void res.status(415).json({ errors: [{ field: 'body', message: fr.workshops.api.jsonOnly }] });
      next();
    });

  router.post('/api/workshops', guard, readJson, (req, res) => {
    if (!req.is('application/json')) return res.status(415).json({ errors: [{ field: 'body', message: fr.workshops.api.jsonOnly }] });
    const parsed = readWorkshop(req.body, deps.questionnaire);
    if (!parsed.ok) return res.status(422).json({ errors: parsed.errors });
    const w = store.create(parsed.workshop, req.staff!.id, deps.now());
    audit(deps.db, req.staff!.email, 'workshop.create', { atelier: w.title, code: w.code, via: req.staffVia }, deps.now());
    const base = deps.baseUrl ?? `${req.protocol}://${req.get('host')}`;
    res.status(201).location(`/api/workshops/${w.id}`).json({ id: w.id, code: w.code, url: `${base}/w/${w.code}` });
  });

  router.post('/api/workshops/:id/current', guard, readJson, (req, res) => {
    const w = store.byId(String(req.params.id));
    if (!w) return res.status(404).json({ errors: [{ field: 'id', message: fr.workshops.api.notFound }] });
    const activity = (req.body as { activity?: unknown } | undefined)?.activity;
    const count = store.activities(w.id).length;
    if (activity !== null && !(Number.isInteger(activity) && (activity as number) >= 0 && (activity as number) < count)) {
      return res.status(422).json({ errors: [{ field: 'activity', message: fr.workshops.api.badActivity(count) }] });
    }
    store.setCurrent(w.id, activity as number | null);
    live.changed(w);
    res.json({ id: w.id, current: activity, activities: store.activities(w.id).map((a) => ({ index: a.position, state: a.state })) });
  });

  router.get('/api/workshops/:id/results', requireApi('admin', 'facilitator', 'analyst'), (req, res) => {
    const w = store.byId(String(req.params.id));
    if (!w) return res.status(404).json({ errors: [{ field: 'id', message: fr.workshops.api.notFound }] });
    res.json({
      id: w.id,
      code: w.code,
      title: w.title,
      date: w.day,
      place: w.place,
      participants: store.participants(w.id),
      activities: store.activities(w.id).map((a) => {
        const r = store.results(w.id, a);
        const head = { index: a.position, type: a.type, prompt: a.prompt, state: a.state, revealed: a.revealed };
        if (r.type === 'poll' || r.type === 'scale') {
          const config = a.config as PollConfig | ScaleConfig;
          return {
            ...head,
            ...(a.type === 'poll' ? { multiple: (config as PollConfig).multiple, question_id: (config as PollConfig).questionId ?? null } : { scale: (config as ScaleConfig).kind }),
            answered: r.answered,
            options: r.options.map((o) => ({ code: o.code, label: o.label, count: o.count, percent: o.percent })),
          };
        }
        if (r.type === 'word_cloud') {
          return { ...head, answered: r.answered, entries: r.entries.map((e) => ({ text: e.text, count: e.count, variants: e.variants, hidden: e.hidden || e.flagged, profanity: e.flagged })) };
        }
        if (r.type !== 'idea_wall') throw new Error(`type inconnu : ${a.type}`);
        return {
          ...head,
          premoderation: a.premoderation,
          themes: r.themes,
          ideas: r.ideas.map((i) => ({ id: i.id, text: i.text, theme: i.theme, votes: i.votes, hidden: i.status !== 'visible' || i.flagged, status: i.status })),
        };
      }),
    });
  });

  return router;
}
