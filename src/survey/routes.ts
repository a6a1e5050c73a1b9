import { cookieOptions } from '../http/cookies.js';
import express, { type Request, type RequestHandler, type Response } from 'express';
import { campaignState, findChannel, type Campaign } from '../campaign/campaign.js';
import { clientKey, type RateLimiter } from '../http/rateLimit.js';
import { choicesBefore, dependsOnEarlierSections, draftInput, ownFields, parseSection, parseWhole } from '../questionnaire/engine.js';
import type { Questionnaire } from '../questionnaire/schema.js';
import type { FieldError, RawValues } from '../questionnaire/types/common.js';
import { fr } from '../strings.js';
import type { Territory } from '../territory/communes.js';
import type { FormTiming } from './formTiming.js';
import { buildSectionPage } from './sectionView.js';
import { newToken, type Draft, type SurveyStore } from './store.js';

export const DRAFT_COOKIE = 'avenir_brouillon';
/** Stands for the sections a POST doesn't need to read (never written to). */
const EMPTY: RawValues = Object.freeze({}) as RawValues;
export const DONE_COOKIE = 'avenir_repondu';
export const CHANNEL_COOKIE = 'avenir_canal';

export type SurveyDeps = {
  questionnaire: Questionnaire;
  /** The campaign as currently set (admins can change dates and channels). */
  campaign: () => Campaign;
  territory: Territory;
  store: SurveyStore;
  now: () => Date;
  /** Completed responses per client address (SUBMIT_RATE_LIMIT). */
  submitLimiter: RateLimiter;
  /** New drafts per client address (DRAFT_START_RATE_LIMIT); continuing one is never limited. */
  draftStartLimiter: RateLimiter;
  timing: FormTiming;
  minSectionSeconds: number;
  /** Privacy page contacts (ORGANISER_CONTACT, DPO_CONTACT); unset ones say they are to be given. */
  contacts?: { organiser?: string; dpo?: string };
  /** Called after a response is completed (live dashboards). */
  onComplete?: () => void;
  /** Whether the public results page is published (linked from the thank-you and closed pages). */
  publicResultsPublished?: () => boolean;
};

/** The respondent's path: landing, four section pages, thank-you. Plain HTML forms throughout. */
export function surveyRouter(deps: SurveyDeps) {
  const { questionnaire: q, territory, store } = deps;
  const total = q.sections.length;
  // « Richebourg (62) »: a name shared with communes elsewhere is offered with its department.
  const communeList = territory.pmaCommunes().map((c) => ({ name: c.displayName }));
  const contacts = {
    organiser: deps.contacts?.organiser ?? fr.privacy.contactNotSet,
    dpo: deps.contacts?.dpo ?? fr.privacy.contactNotSet,
  };
  const router = express.Router();

  const DAY = 24 * 3600 * 1000;

  const draftOf = (req: Request): Draft | undefined => store.findDraft(req.cookies?.[DRAFT_COOKIE], q);
  const hasAnswered = (req: Request) => req.cookies?.[DONE_COOKIE] === '1';

  /** Draft raw input of every section, in questionnaire order. */
  const draftsOf = (draft: Draft | undefined): RawValues[] => {
    const saved = draft ? store.loadSections(draft.id) : new Map<string, RawValues>();
    return q.sections.map((s) => saved.get(s.id) ?? {});
  };

  const renderClosed = (res: Response, status: number, state: { title: string; message: string }, extra?: string) =>
    res.status(status).render('survey/closed', {
      pageTitle: state.title,
      title: state.title,
      message: state.message,
      extra,
      publicResults: 'reason' in state && state.reason === 'ended' && deps.publicResultsPublished?.() ? fr.publicResults.closedLink : undefined,
    });

  /**
   * "See Other" without a body: the answer to every valid section POST. Express's res.redirect
   * negotiates and writes an HTML body nobody reads; on the hot path of a classroom that costs.
   */
  const seeOther = (res: Response, url: string) => {
    res.statusCode = 303;
    res.setHeader('Location', url);
    res.setHeader('Content-Length', '0');
    res.end();
  };

  /** A section shown again with its errors (422), as typed. */
  function renderInvalid(res: Response, drafts: RawValues[], i: number, errors: FieldError[], formErrors: string[]) {
    res.status(422).render(
      'survey/section',
      buildSectionPage({
        questionnaire: q,
        index: i,
        raw: drafts[i],
        errors,
        formErrors,
        earlier: choicesBefore(q, drafts, i, territory),
        territory,
        csrfToken: res.locals.csrfToken,
        formStamp: deps.timing.stamp(deps.now()),
        communeList,
      }),
    );
  }

  /** The first section not yet validated: where "Commencer"/"Reprendre" leads. */
  const currentStep = (draft: Draft | undefined) => Math.min((draft?.reachedSection ?? 0) + 1, total);

  /**
   * POST /questionnaire/:step, mounted by the app itself right after the request prelude: a
   * classroom's « Suivant » is the busiest request of the app, and a nested router costs.
   */
  const sectionPost: RequestHandler = (req, res, next) => {
    const step = stepParam(req);
    if (!step) return next();
    const campaign = deps.campaign();
    const state = campaignState(campaign, deps.now());
    if (!state.open) return renderClosed(res, 403, state, fr.closed.postRefused);

    const token: string | undefined = req.cookies?.[DRAFT_COOKIE];
    let draft = draftOf(req);
    if (!draft && store.isCompletedToken(token)) {
      // A double tap or a resent final POST: the response exists already, once.
      return res.redirect(303, '/merci');
    }
    // Sections are answered in order, as on GET: a post for a later step goes to the first one
    // still to do (keeps the completion funnel honest). Nothing is stored from it.
    if (step > currentStep(draft)) return res.redirect(303, `/questionnaire/${currentStep(draft)}`);

    const now = deps.now();
    let draftToken = token;
    if (!draft) {
      // A script starting drafts in a loop fills the disk and the funnel; a whole lycée behind one
      // address starts far fewer. Past the limit nothing is stored and no cookie is set.
      const client = clientKey(req);
      if (!deps.draftStartLimiter.allowed(client)) {
        res.set('Retry-After', String(Math.ceil(deps.draftStartLimiter.retryAfterMs(client) / 1000)));
        return res.status(429).render('errors/message', {
          pageTitle: fr.errors.tooManyDraftsTitle,
          title: fr.errors.tooManyDraftsTitle,
          message: fr.errors.tooManyDrafts,
          link: { href: '/', label: fr.http.backHome },
        });
      }
      deps.draftStartLimiter.hit(client);
      draftToken = newToken();
      draft = store.createDraft(draftToken, q, findChannel(campaign, req.cookies?.[CHANNEL_COOKIE]) ?? null, now);
      res.cookie(DRAFT_COOKIE, draftToken, { ...cookieOptions(req), maxAge: 30 * DAY });
      res.clearCookie(CHANNEL_COOKIE, cookieOptions(req));
    }

    // Anti-abuse signals flag the response for analysts; they never block a respondent.
    if (typeof req.body?.website === 'string' && req.body.website.trim() !== '') store.flag(draft.id, 'piege');
    if (req.body?.action !== 'previous') {
      const elapsed = deps.timing.elapsed(req.body?._t, now);
      if (elapsed === 'missing') store.flag(draft.id, 'horodatage');
      else if (elapsed === 'forged') store.flag(draft.id, 'signature');
      else if (typeof elapsed === 'number' && elapsed < deps.minSectionSeconds) store.flag(draft.id, 'rapide');
    }

    const index = step - 1;
    const section = q.sections[index];
    const { raw, unexpected } = ownFields(section, req.body);
    // Earlier drafts are read only when this section depends on them, or to complete.
    const needEarlier = step === total || dependsOnEarlierSections(section);
    const drafts = needEarlier ? draftsOf(draft) : new Array<RawValues>(total).fill(EMPTY);
    drafts[index] = raw;
    const earlier = needEarlier ? choicesBefore(q, drafts, index, territory) : new Map();
    const result = parseSection(section, raw, earlier, territory);
    const valid = result.errors.length === 0 && unexpected.length === 0;
    const goingBack = req.body?.action === 'previous';

    // What was typed is kept whatever happens next: the draft is the respondent's safety net.
    // Only "Suivant" on a valid page moves the respondent forward.
    // The stored copy is cut to each field's limit: a flood of huge fields can't fill the disk.
    store.saveSection(draft.id, section.id, draftInput(section, raw), valid && !goingBack ? step : 0, now);

    if (goingBack) return seeOther(res, `/questionnaire/${Math.max(1, step - 1)}`);

    if (!valid) return renderInvalid(res, drafts, index, result.errors, unexpected.length ? [fr.errors.unexpectedFields] : []);
    if (step < total) return seeOther(res, `/questionnaire/${step + 1}`);

    // Last section: re-check the whole questionnaire (an earlier page may have changed).
    const whole = parseWhole(q, drafts, territory);
    if (whole.firstInvalid !== -1) {
      const i = whole.firstInvalid;
      return renderInvalid(res, drafts, i, whole.sections[i].errors, [fr.errors.earlierSection]);
    }
    // A script flooding completions from one address is stopped; a classroom behind one NAT
    // (30 pupils, a few minutes) is far below the limit. The draft stays: nothing typed is lost.
    const client = clientKey(req);
    if (!deps.submitLimiter.allowed(client)) {
      res.set('Retry-After', String(Math.ceil(deps.submitLimiter.retryAfterMs(client) / 1000)));
      return res.status(429).render('errors/message', {
        pageTitle: fr.http.tooManyTitle,
        title: fr.http.tooManyTitle,
        message: fr.errors.tooManySubmissions,
        link: { href: `/questionnaire/${total}`, label: fr.http.resume },
      });
    }
    if (store.complete(draft.id, draftToken!, whole.rows, total, now)) {
      deps.submitLimiter.hit(client);
      deps.onComplete?.();
    }
    res.clearCookie(DRAFT_COOKIE, cookieOptions(req));
    res.cookie(DONE_COOKIE, '1', { ...cookieOptions(req), maxAge: 365 * DAY });
    seeOther(res, '/merci');
  };

  router.get('/', (req, res) => {
    const channel = findChannel(deps.campaign(), req.query.canal);
    if (req.query.canal !== undefined) {
      // Record a declared relay code, then drop it from the address bar (it would be shared on).
      if (channel) res.cookie(CHANNEL_COOKIE, channel, { ...cookieOptions(req), maxAge: 30 * DAY });
      return res.redirect(303, '/');
    }
    const state = campaignState(deps.campaign(), deps.now());
    if (!state.open) return renderClosed(res, 200, state);
    const draft = draftOf(req);
    if (!draft && hasAnswered(req)) return res.render('survey/already-answered', { pageTitle: fr.alreadyAnswered.title });
    res.render('survey/landing', {
      resume: draft ? { href: `/questionnaire/${currentStep(draft)}` } : undefined,
    });
  });

  router.get('/confidentialite', (_req, res) => res.render('survey/privacy', { pageTitle: fr.privacy.title, contacts }));

  router.get('/questionnaire', (req, res) => res.redirect(303, `/questionnaire/${currentStep(draftOf(req))}`));

  const stepParam = (req: Request): number | undefined => {
    const raw = String(req.params.step);
    if (!/^[1-9][0-9]?$/.test(raw)) return undefined;
    const n = Number(raw);
    return n >= 1 && n <= total ? n : undefined;
  };

  router.get('/questionnaire/:step', (req, res, next) => {
    const step = stepParam(req);
    if (!step) return next();
    const state = campaignState(deps.campaign(), deps.now());
    if (!state.open) return renderClosed(res, 200, state);
    const draft = draftOf(req);
    if (!draft && hasAnswered(req)) return res.redirect(303, '/');
    // Sections are validated in order: no jumping ahead of the first unvalidated one.
    if (step > currentStep(draft)) return res.redirect(303, `/questionnaire/${currentStep(draft)}`);
    const drafts = draftsOf(draft);
    res.render(
      'survey/section',
      buildSectionPage({
        questionnaire: q,
        index: step - 1,
        raw: drafts[step - 1],
        errors: [],
        formErrors: [],
        earlier: choicesBefore(q, drafts, step - 1, territory),
        territory,
        csrfToken: res.locals.csrfToken,
        formStamp: deps.timing.stamp(deps.now()),
        communeList,
      }),
    );
  });

  router.get('/merci', (_req, res) =>
    res.render('survey/thanks', { pageTitle: fr.thanks.title, publicResults: deps.publicResultsPublished?.() ? fr.publicResults.thanksLink : undefined }),
  );

  router.post('/nouvelle-reponse', (req, res) => {
    res.clearCookie(DONE_COOKIE, cookieOptions(req));
    res.clearCookie(DRAFT_COOKIE, cookieOptions(req));
    res.redirect(303, '/');
  });

  return { router, sectionPost };
}
