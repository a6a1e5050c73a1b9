import express, { type Request, type Response } from 'express';
import type { Db } from '../db/connection.js';
import { csvLine, dialectOf, neutralizeFormula, type Cell } from '../exports/csv.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import { audit } from '../staff/audit.js';
import { requireApi, requirePage } from '../staff/auth.js';
import { fr } from '../strings.js';
import { ACTIVITY_TYPES, readWorkshop, type Activity, type InputError, type PollConfig } from './activities.js';
import type { StreamOwner } from '../live/hub.js';
import type { WorkshopLive } from './live.js';
import type { Workshop, WorkshopStore } from './store.js';
import { qrSvg, resultsView } from './view.js';
import { surveyComparison } from './comparison.js';
import type { PublishedResults } from '../results/aggregate.js';
import type { Role } from '../staff/store.js';

export type FacilitatorDeps = {
  db: Db;
  store: WorkshopStore;
  live: WorkshopLive;
  /** Who a projector's or control page's stream belongs to (caps, closing with the session). */
  streamOwner: (req: Request) => StreamOwner;
  questionnaire: Questionnaire;
  /** The survey's figures as a viewer of this role may see them, for a poll taken from the questionnaire. */
  surveyResults: (role: Role) => PublishedResults | undefined;
  now: () => Date;
  /** Absolute base of the public links (join URL and QR code); from the request when unset. */
  baseUrl?: string;
};

/** Rows of activities the creation form offers without JavaScript. */
export const FORM_ROWS = 8;

const s = () => fr.workshops.staff;

/**
 * The facilitators' side: list, creation, the control page (a phone at the back of the room),
 * the projector, results and export. Admins too; analysts read results and exports.
 */
export function facilitatorRouter(deps: FacilitatorDeps) {
  const { store, live, questionnaire: q } = deps;
  const router = express.Router();
  const run = requirePage('admin', 'facilitator');
  const read = requirePage('admin', 'facilitator', 'analyst');
  const choiceQuestions = q.sections.flatMap((sec) => sec.questions.filter((x) => x.type === 'single' || x.type === 'multiple').map((x) => ({ id: x.id, label: x.label })));

  const joinUrl = (req: Request, w: Workshop) => `${deps.baseUrl ?? `${req.protocol}://${req.get('host')}`}/w/${w.code}`;
  const load = (req: Request): Workshop | undefined => (typeof req.params.id === 'string' ? store.byId(req.params.id) : undefined);

  router.get('/ateliers', read, (req, res) => {
    const archived = req.query.archives === '1';
    const canRun = req.staff!.role !== 'analyst';
    res.render('workshops/list', {
      pageTitle: archived ? s().archivedTitle : s().listTitle,
      staffPage: true, workshops: true,
      archived,
      canRun,
      items: store.list({ archived }).map((w) => ({
        ...w,
        dayLabel: w.day ? frenchDay(w.day) : '',
        participantsLabel: fr.workshops.screen.participants(w.participants),
      })),
    });
  });

  // Creation: a form of FORM_ROWS activity rows (blank rows are skipped), read into the API's shape.
  const blankRows = () => Array.from({ length: FORM_ROWS }, (_, i) => ({ index: i, number: i + 1, type: i === 0 ? 'poll' : '', prompt: '', options: '', question: '', scale: 'numeric' }));
  const renderNew = (res: Response, status: number, data: { values?: Record<string, unknown>; rows?: ReturnType<typeof blankRows>; errors?: InputError[] } = {}) => {
    const errors = data.errors ?? [];
    const errorOf = (field: string) => errors.find((e) => e.field === field)?.message;
    const rows = (data.rows ?? blankRows()).map((r) => ({
      ...r,
      types: [{ code: '', label: s().noActivity }, ...ACTIVITY_TYPES.map((t) => ({ code: t, label: fr.workshops.types[t] }))].map((t) => ({ ...t, selected: t.code === r.type })),
      questions: [{ id: '', label: s().ownQuestion }, ...choiceQuestions].map((x) => ({ ...x, selected: x.id === r.question })),
      numeric: r.scale !== 'agreement',
      errors: ['type', 'prompt', 'options', 'question_id'].map((f) => errorOf(`row.${r.index}.${f}`)).filter(Boolean),
    }));
    res.status(status).render('workshops/new', {
      pageTitle: errors.length ? fr.workshops.errorTitle(s().newTitle) : s().newTitle,
      staffPage: true, workshops: true,
      values: data.values ?? {},
      rows,
      errors: errors.map((e) => ({ ...e, href: `#${e.field.replace(/\./g, '-')}` })),
      titleError: errorOf('title'),
      dateError: errorOf('date'),
      placeError: errorOf('place'),
      activitiesError: errorOf('activities'),
      csrfToken: res.locals.csrfToken,
    });
  };

  router.get('/ateliers/nouveau', run, (_req, res) => renderNew(res, 200));

  router.post('/ateliers/nouveau', run, (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const str = (k: string) => (typeof body[k] === 'string' ? (body[k] as string) : '');
    const rows = blankRows().map((r) => ({
      ...r,
      type: str(`a${r.index}_type`),
      prompt: str(`a${r.index}_prompt`),
      options: str(`a${r.index}_options`),
      question: str(`a${r.index}_question`),
      scale: str(`a${r.index}_scale`) === 'agreement' ? 'agreement' : 'numeric',
      multiple: body[`a${r.index}_multiple`] === '1',
      hide: body[`a${r.index}_hide`] === '1',
      premod: body[`a${r.index}_premod`] === '1',
    }));
    const used = rows.filter((r) => r.type !== '');
    const input = {
      title: str('title'),
      date: str('date'),
      place: str('place'),
      activities: used.map((r) => ({
        type: r.type,
        // A question from the questionnaire asks itself when no wording is given.
        prompt: r.prompt.trim() || (r.question ? (choiceQuestions.find((x) => x.id === r.question)?.label ?? '') : ''),
        ...(r.type === 'poll' && !r.question ? { options: r.options.split(/\r?\n/).map((x) => x.trim()).filter(Boolean), multiple: r.multiple } : {}),
        ...(r.type === 'poll' && r.question ? { question_id: r.question } : {}),
        ...(r.type === 'scale' ? { scale: r.scale } : {}),
        hide_results: r.hide,
        premoderation: r.premod,
      })),
    };
    const parsed = readWorkshop(input, q);
    if (!parsed.ok) {
      // activities.<k>.<field> → the form row it came from.
      const errors = parsed.errors.map((e) => {
        const m = /^activities\.(\d+)\.(.+)$/.exec(e.field);
        return m ? { ...e, field: `row.${used[Number(m[1])].index}.${m[2]}` } : e;
      });
      return renderNew(res, 422, { values: { title: input.title, date: input.date, place: input.place }, rows, errors });
    }
    const w = store.create(parsed.workshop, req.staff!.id, deps.now());
    audit(deps.db, req.staff!.email, 'workshop.create', { atelier: w.title, code: w.code }, deps.now());
    res.redirect(303, `/ateliers/${w.id}`);
  });

  // The control page: made for a phone held by the facilitator.
  router.get('/ateliers/:id', run, async (req, res, next) => {
    try {
      const w = load(req);
      if (!w) return next();
      const url = joinUrl(req, w);
      const activities = store.activities(w.id).map((a) => activityControl(w, a));
      res.render('workshops/control', {
        pageTitle: w.title,
        staffPage: true, workshops: true,
        workshop: { ...w, dayLabel: w.day ? frenchDay(w.day) : '' },
        joinUrl: url,
        qr: await qrSvg(url),
        participants: fr.workshops.screen.participants(store.participants(w.id)),
        onWelcome: w.current === null,
        activities,
        csrfToken: res.locals.csrfToken,
        streamUrl: `/ateliers/${w.id}/flux`,
      });
    } catch (e) {
      next(e);
    }
  });

  const activityControl = (w: Workshop, a: Activity) => {
    const results = store.results(w.id, a);
    return {
      position: a.position,
      number: a.position + 1,
      prompt: a.prompt,
      typeLabel: fr.workshops.types[a.type],
      stateLabel: fr.workshops.states[a.state],
      current: w.current === a.position,
      open: a.state === 'open',
      revealed: a.revealed,
      premoderation: a.premoderation,
      isWall: a.type === 'idea_wall',
      fromSurvey: a.type === 'poll' && (a.config as PollConfig).questionId ? true : false,
      results: resultsView(a, results, { forScreen: false, moderateAction: `/ateliers/${w.id}/pilotage` }),
      themes: a.type === 'idea_wall' && results.type === 'idea_wall' ? results.themes : [],
    };
  };

  const back = (res: Response, w: Workshop, position?: number) => res.redirect(303, `/ateliers/${w.id}${position === undefined ? '' : `#activite-${position + 1}`}`);

  // Every control is a small form posting here: works without JavaScript, one tap each.
  router.post('/ateliers/:id/pilotage', run, (req, res, next) => {
    const w = load(req);
    if (!w) return next();
    const body = (req.body ?? {}) as Record<string, unknown>;
    const action = typeof body.do === 'string' ? body.do : '';
    const position = Number(body.position);
    const a = Number.isInteger(position) ? store.activity(w.id, position) : undefined;
    const text = (k: string) => (typeof body[k] === 'string' ? (body[k] as string).replace(/\s+/g, ' ').trim().slice(0, 120) : '');
    switch (action) {
      case 'welcome':
        store.setCurrent(w.id, null);
        break;
      case 'show':
        if (!a) return next();
        store.setCurrent(w.id, a.position);
        break;
      case 'open':
      case 'close':
        if (!a) return next();
        store.setState(w.id, a.position, action === 'open' ? 'open' : 'closed');
        break;
      case 'reveal':
      case 'conceal':
        if (!a) return next();
        store.setRevealed(w.id, a.position, action === 'reveal');
        break;
      case 'premoderation-on':
      case 'premoderation-off':
        if (!a) return next();
        store.setPremoderation(w.id, a.position, action === 'premoderation-on');
        break;
      case 'count-on':
      case 'count-off':
        store.setShowCount(w.id, action === 'count-on');
        break;
      case 'hide-entry':
      case 'show-entry':
        if (!a || typeof body.key !== 'string') return next();
        store.setEntryHidden(w.id, a.position, body.key.slice(0, 200), action === 'hide-entry');
        break;
      case 'idea-approve':
      case 'idea-hide':
      case 'idea-show':
        if (typeof body.idea !== 'string') return next();
        store.setIdeaStatus(w.id, body.idea, action === 'idea-hide' ? 'hidden' : 'visible');
        break;
      case 'idea-theme':
        if (typeof body.idea !== 'string') return next();
        store.setIdeaTheme(w.id, body.idea, typeof body.theme === 'string' && body.theme ? body.theme : null);
        break;
      case 'theme-add':
        if (!a || !text('label')) return back(res, w, a?.position);
        store.addTheme(w.id, a.position, text('label'));
        break;
      case 'theme-rename':
        if (typeof body.theme !== 'string' || !text('label')) return next();
        store.renameTheme(w.id, body.theme, text('label'));
        break;
      case 'theme-delete':
        if (typeof body.theme !== 'string') return next();
        store.deleteTheme(w.id, body.theme);
        break;
      default:
        return next();
    }
    live.changed(w);
    back(res, w, a?.position);
  });

  // An event stream answers 401 like the dashboard's (a stream can't follow a login page).
  router.get('/ateliers/:id/flux', requireApi('admin', 'facilitator'), (req, res, next) => {
    const w = load(req);
    if (!w) return next();
    live.subscribeScreen(w, res, deps.streamOwner(req));
  });

  // The projector: the current activity, big, with the code and QR for latecomers. Without
  // JavaScript it refreshes itself every few seconds; with it, it follows the live stream.
  router.get('/ateliers/:id/ecran', run, async (req, res, next) => {
    try {
      const w = load(req);
      if (!w) return next();
      const url = joinUrl(req, w);
      const a = w.current === null ? undefined : store.activity(w.id, w.current);
      const view = {
        workshop: w,
        joinUrl: url,
        joinHost: url.replace(/^https?:\/\//, '').replace(/\/w\/.*$/, ''),
        qr: await qrSvg(url),
        participants: w.showCount ? fr.workshops.screen.participants(store.participants(w.id)) : undefined,
        activity: a && {
          prompt: a.prompt,
          typeLabel: fr.workshops.types[a.type],
          closed: a.state === 'closed',
          concealed: !a.revealed,
          results: a.revealed ? resultsView(a, store.results(w.id, a), { forScreen: true }) : undefined,
        },
      };
      if (req.query.partiel === '1') return res.render('workshops/screen-body', { ...view, layout: false });
      res.render('workshops/screen', { ...view, pageTitle: `${w.title} – ${s().screenTitle}`, projector: true, workshops: true, streamUrl: `/ateliers/${w.id}/flux` });
    } catch (e) {
      next(e);
    }
  });

  router.get('/ateliers/:id/resultats', read, (req, res, next) => {
    const w = load(req);
    if (!w) return next();
    const activities = store.activities(w.id).map((a) => {
      const results = store.results(w.id, a);
      return {
        number: a.position + 1,
        prompt: a.prompt,
        typeLabel: fr.workshops.types[a.type],
        results: resultsView(a, results, { forScreen: false, precise: true }),
        survey: surveyComparison(a, results, deps.surveyResults(req.staff!.role)),
      };
    });
    res.render('workshops/results', {
      pageTitle: `${w.title} – ${s().resultsTitle}`,
      staffPage: true, workshops: true,
      workshop: { ...w, dayLabel: w.day ? frenchDay(w.day) : '' },
      participants: fr.workshops.screen.participants(store.participants(w.id)),
      activities,
      canRun: req.staff!.role !== 'analyst',
    });
  });

  router.get('/ateliers/:id/export.csv', read, (req, res, next) => {
    const w = load(req);
    if (!w) return next();
    const d = dialectOf(req.query.excel === '1');
    const lines: string[] = [csvLine(EXPORT_HEADER, d)];
    for (const a of store.activities(w.id)) lines.push(...exportRows(a, store.results(w.id, a)).map((r) => csvLine(r, d)));
    if (req.method !== 'HEAD') audit(deps.db, req.staff!.email, 'workshop.export', { atelier: w.title }, deps.now());
    res
      .type('text/csv; charset=utf-8')
      .attachment(`atelier-${w.code}.csv`)
      .send((d.bom ? '\ufeff' : '') + lines.join(''));
  });

  router.post('/ateliers/:id/dupliquer', run, (req, res, next) => {
    const w = load(req);
    if (!w) return next();
    const copy = store.duplicate(w.id, req.staff!.id, s().copySuffix, deps.now())!;
    audit(deps.db, req.staff!.email, 'workshop.duplicate', { atelier: w.title, copie: copy.code }, deps.now());
    res.redirect(303, `/ateliers/${copy.id}`);
  });

  router.post('/ateliers/:id/archiver', run, (req, res, next) => {
    const w = load(req);
    if (!w) return next();
    const archived = (req.body as Record<string, unknown> | undefined)?.archived !== '0';
    store.setArchived(w.id, archived);
    audit(deps.db, req.staff!.email, archived ? 'workshop.archive' : 'workshop.unarchive', { atelier: w.title }, deps.now());
    res.redirect(303, archived ? '/ateliers?archives=1' : '/ateliers');
  });

  router.post('/ateliers/:id/supprimer', run, (req, res, next) => {
    const w = load(req);
    if (!w) return next();
    if ((req.body as Record<string, unknown> | undefined)?.confirm !== '1') {
      return res.status(422).render('errors/message', {
        pageTitle: s().deleteTitle,
        title: s().deleteTitle,
        message: s().deleteConfirmMissing,
        link: { href: `/ateliers/${w.id}`, label: s().backToWorkshop },
      });
    }
    store.delete(w.id);
    audit(deps.db, req.staff!.email, 'workshop.delete', { atelier: w.title }, deps.now());
    res.redirect(303, '/ateliers');
  });

  return router;
}

export const EXPORT_HEADER = ['activity', 'type', 'prompt', 'item_code', 'item', 'count', 'text', 'theme', 'votes', 'hidden'] as const;

/** One row per option, word-cloud group or proposal: what the room produced, moderation marks included. */
export function exportRows(a: Activity, r: ReturnType<WorkshopStore['results']>): Cell[][] {
  const head = [a.position + 1, a.type, neutralizeFormula(a.prompt)];
  if (r.type === 'poll' || r.type === 'scale') return r.options.map((o) => [...head, o.code, neutralizeFormula(o.label), o.count, '', '', '', 0]);
  if (r.type === 'word_cloud') {
    return r.entries.map((e) => [...head, e.key, neutralizeFormula(e.text), e.count, neutralizeFormula(e.variants.map((v) => v.text).join(' | ')), '', '', e.hidden || e.flagged ? 1 : 0]);
  }
  return r.ideas.map((i) => [...head, i.id, '', 1, neutralizeFormula(i.text), neutralizeFormula(i.theme ?? ''), i.votes, i.status === 'visible' && !i.flagged ? 0 : 1]);
}

/** « 28 févr. 2023 » from 2023-02-28. */
export function frenchDay(day: string): string {
  const d = new Date(`${day}T12:00:00Z`);
  const text = d.toLocaleDateString('fr-FR', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
  return d.getUTCDate() === 1 ? text.replace(/^1 /, '1er ') : text;
}
