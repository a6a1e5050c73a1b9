import crypto from 'node:crypto';
import express, { type Request, type Response } from 'express';
import { cookieOptions } from '../http/cookies.js';
import { screen } from '../privacy/screening.js';
import { fr } from '../strings.js';
import { IDEAS_PER_PARTICIPANT, parseAnswer, WORD_ENTRIES, WORD_MAX, IDEA_MAX, type Activity, type InputError, type PollConfig, type ScaleConfig } from './activities.js';
import { readJoinCode } from './code.js';
import type { WorkshopLive } from './live.js';
import { participantKey, type Workshop, type WorkshopStore } from './store.js';

export const PARTICIPANT_COOKIE = 'avenir_atelier';
/** A workshop lasts a day; the cookie a little longer so a participant who comes back is the same. */
const PARTICIPANT_MAX_AGE_MS = 3 * 24 * 3600 * 1000;

export type ParticipantDeps = { store: WorkshopStore; live: WorkshopLive };

/**
 * The young people's side of a workshop: /w to type the code, /w/<code> to follow the activity on
 * screen and answer it. Plain forms; with JavaScript the page follows the facilitator by itself.
 */
export function participantRouter(deps: ParticipantDeps) {
  const { store, live } = deps;
  const router = express.Router();
  const s = () => fr.workshops.participant;

  /** The participant's random cookie, created on first visit; only its hash is ever stored. */
  const cookieOf = (req: Request, res: Response): string => {
    const c = req.cookies?.[PARTICIPANT_COOKIE];
    if (typeof c === 'string' && /^[A-Za-z0-9_-]{43}$/.test(c)) return c;
    const fresh = crypto.randomBytes(32).toString('base64url');
    res.cookie(PARTICIPANT_COOKIE, fresh, { ...cookieOptions(req), maxAge: PARTICIPANT_MAX_AGE_MS });
    return fresh;
  };

  const findWorkshop = (code: unknown): Workshop | undefined => {
    const c = readJoinCode(code);
    return c ? store.byCode(c) : undefined;
  };

  router.get('/w', (req, res) => {
    const typed = typeof req.query.code === 'string' ? req.query.code.slice(0, 40) : undefined;
    if (typed === undefined) return res.render('workshops/join', { pageTitle: s().joinTitle, workshopPage: true });
    const code = readJoinCode(typed);
    const w = code ? store.byCode(code) : undefined;
    if (w) return res.redirect(303, `/w/${w.code}`);
    const error = code ? fr.workshops.errors.badCode : fr.workshops.errors.codeFormat;
    res.status(code ? 404 : 422).render('workshops/join', { pageTitle: fr.workshops.errorTitle(s().joinTitle), workshopPage: true, workshops: true, typed, error });
  });

  const showPage = (req: Request, res: Response, w: Workshop, status = 200, extra: { errors?: InputError[]; typed?: Record<string, string | string[]>; position?: number; notice?: string } = {}) => {
    const participant = participantKey(cookieOf(req, res), w.id);
    const activities = store.activities(w.id);
    const current = w.current === null ? undefined : activities.find((a) => a.position === w.current);
    const view = current ? activityView(w, current, participant, extra.position === current.position ? extra : {}) : undefined;
    res.status(status).render('workshops/participant', {
      pageTitle: extra.errors?.length ? fr.workshops.errorTitle(w.title) : w.title,
      workshopPage: true, workshops: true,
      scripts: true,
      workshop: { title: w.title, code: w.code, place: w.place },
      activity: view,
      waiting: !current,
      // An answer sent to an activity no longer on screen: said at the top.
      notice: extra.notice ?? (extra.position !== undefined && extra.position !== current?.position ? extra.errors?.[0]?.message : undefined),
      sent: req.query.envoye === '1' && !extra.errors,
      streamUrl: `/w/${w.code}/flux`,
      csrfToken: res.locals.csrfToken,
    });
  };

  const activityView = (w: Workshop, a: Activity, participant: string, extra: { errors?: InputError[]; typed?: Record<string, string | string[]> }) => {
    const mine = store.answerOf(w.id, a.position, participant);
    const errorOf = (field: string) => extra.errors?.find((e) => e.field === field)?.message;
    const base = {
      position: a.position,
      prompt: a.prompt,
      type: a.type,
      open: a.state === 'open',
      closed: a.state === 'closed',
      action: `/w/${w.code}/activite/${a.position}`,
      answered: mine !== undefined,
      errors: extra.errors?.length ? extra.errors.map((e) => ({ ...e, href: `#champ-${e.field}` })) : undefined,
    };
    if (a.type === 'poll' || a.type === 'scale') {
      const config = a.config as PollConfig | ScaleConfig;
      const multiple = a.type === 'poll' && (config as PollConfig).multiple;
      const chosen = new Set(extra.typed ? ([] as string[]).concat(extra.typed.choice ?? []) : mine && 'codes' in mine ? mine.codes : []);
      return {
        ...base,
        choice: true,
        inputType: multiple ? 'checkbox' : 'radio',
        hint: multiple ? ((config as PollConfig).max ? fr.errors.tooManyChoices((config as PollConfig).max!) : s().severalAnswers) : undefined,
        error: errorOf('choice'),
        options: config.options.map((o, i) => ({ ...o, id: `champ-choice-${i}`, checked: chosen.has(o.code) })),
        scale: a.type === 'scale',
      };
    }
    if (a.type === 'word_cloud') {
      const saved = mine && 'entries' in mine ? mine.entries : [];
      return {
        ...base,
        cloud: true,
        max: WORD_MAX,
        entries: Array.from({ length: WORD_ENTRIES }, (_, i) => {
          const name = `entry${i + 1}`;
          return { name, id: `champ-${name}`, label: s().entryLabel(i + 1), value: extra.typed ? extra.typed[name] : (saved[i] ?? ''), error: errorOf(name) };
        }),
      };
    }
    const voted = store.votedBy(w.id, a.position, participant);
    const ideas = a.revealed ? store.ideas(w.id, a.position).filter((i) => i.status === 'visible' && !i.flagged) : [];
    return {
      ...base,
      wall: true,
      max: IDEA_MAX,
      text: extra.typed?.text ?? '',
      error: errorOf('text'),
      ideas: ideas.map((i) => ({ id: i.id, text: screen(i.text).text, votes: i.votes, theme: i.theme, voted: voted.has(i.id) })),
      premoderation: a.premoderation,
    };
  };

  router.get('/w/:code', (req, res, next) => {
    const w = findWorkshop(req.params.code);
    if (!w) return next();
    if (req.params.code !== w.code) return res.redirect(303, `/w/${w.code}`);
    showPage(req, res, w);
  });

  // Live: the page reloads itself when the facilitator switches or opens/closes an activity.
  router.get('/w/:code/flux', (req, res, next) => {
    const w = findWorkshop(req.params.code);
    if (!w) return next();
    // Capped per participant (their cookie's hash for this workshop) and per process.
    live.subscribeParticipant(w, res, { key: `participant:${participantKey(cookieOf(req, res), w.id)}` });
  });

  router.post('/w/:code/activite/:position', (req, res, next) => {
    const w = findWorkshop(req.params.code);
    const position = Number(req.params.position);
    const a = w && Number.isInteger(position) ? store.activity(w.id, position) : undefined;
    if (!w || !a) return next();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const participant = participantKey(cookieOf(req, res), w.id);
    if (a.state !== 'open') {
      const parsed = parseAnswer(a, body);
      const typed = parsed.ok ? undefined : parsed.typed;
      return showPage(req, res, w, 409, { position, errors: [{ field: a.type === 'idea_wall' ? 'text' : a.type === 'word_cloud' ? 'entry1' : 'choice', message: a.state === 'closed' ? fr.workshops.errors.closed : fr.workshops.errors.notOpen }], typed });
    }
    // Idea wall: a support (vote) or a new proposal.
    if (a.type === 'idea_wall' && typeof body.soutien === 'string') {
      store.toggleVote(w.id, a.position, body.soutien, participant);
      live.answered(w);
      return res.redirect(303, `/w/${w.code}#idees`);
    }
    const parsed = parseAnswer(a, body);
    if (!parsed.ok) return showPage(req, res, w, 422, { position, errors: parsed.errors, typed: parsed.typed });
    if (a.type === 'idea_wall') {
      const added = store.addIdea(w.id, a, participant, (parsed.value as { text: string }).text);
      if (!added.ok) return showPage(req, res, w, 422, { position, errors: [{ field: 'text', message: fr.workshops.errors.tooManyIdeas(IDEAS_PER_PARTICIPANT) }], typed: { text: String(body.text ?? '') } });
    } else store.saveAnswer(w.id, a.position, participant, parsed.value);
    live.answered(w);
    res.redirect(303, `/w/${w.code}?envoye=1`);
  });

  return router;
}
