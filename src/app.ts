import { createRequire } from 'node:module';
import path from 'node:path';
import compression from 'compression';
import express from 'express';
import { buildCampaign, type Campaign } from './campaign/campaign.js';
import { createCampaignSettings } from './campaign/settings.js';
import type { Config } from './config.js';
import type { Db } from './db/connection.js';
import { csrfProtection } from './http/csrf.js';
import { errorHandler, notFound } from './http/errors.js';
import { formBody } from './http/formBody.js';
import { noStore } from './http/noStore.js';
import { createRateLimiter } from './http/rateLimit.js';
import { readCookies } from './http/readCookies.js';
import { consoleLogger, requestLog, type Logger } from './http/requestLog.js';
import { secureResponses } from './http/securityHeaders.js';
import { sequence } from './http/sequence.js';
import { createViewEngine, VIEWS_DIR } from './http/views.js';
import { exportsRouter } from './exports/routes.js';
import { createSseHub, type SseHub } from './live/hub.js';
import { openFileLimit, streamCapFor } from './live/limits.js';
import { staffStreamOwner } from './live/staffOwner.js';
import { ensureAnswered } from './results/answered.js';
import { resultsNotifier, resultsRouter } from './results/routes.js';
import { configureRelease } from './privacy/release.js';
import { audienceOf } from './privacy/disclosure.js';
import { resultsFor } from './privacy/results.js';
import { NO_FILTER } from './results/filters.js';
import { loadQuestionnaire } from './questionnaire/index.js';
import type { Questionnaire } from './questionnaire/schema.js';
import { loadStaff, staffSessionSecret } from './staff/auth.js';
import { staffRouter } from './staff/routes.js';
import { secretBoxFor } from './staff/secretBox.js';
import { createLoginThrottle } from './staff/lockout.js';
import { secondFactorAtLogin, securityRouter, throttleHooks } from './staff/securityRoutes.js';
import { createTwoFactor } from './staff/twoFactor.js';
import { staffHomeRouter } from './staff/homeRoutes.js';
import { journalRouter } from './staff/journalRoutes.js';
import { staffNav } from './staff/nav.js';
import { campaignAdminRouter } from './campaign/adminRoutes.js';
import { analysisRouter, textBrowserLinks } from './analysis/routes.js';
import { codingApi } from './coding/api.js';
import { codingRouter } from './coding/routes.js';
import { cloudRouter } from './cloud/routes.js';
import { personalDataRouter } from './privacy/maskRoutes.js';
import { createStaffStore } from './staff/store.js';
import { createFormTiming } from './survey/formTiming.js';
import { surveyRouter } from './survey/routes.js';
import { createSurveyStore } from './survey/store.js';
import { fr } from './strings.js';
import { territory as sharedTerritory, type Territory } from './territory/communes.js';
import { communesHandler } from './territory/routes.js';
import { workshopApi } from './workshops/api.js';
import { facilitatorRouter } from './workshops/facilitatorRoutes.js';
import { workshopLive } from './workshops/live.js';
import { participantRouter } from './workshops/participantRoutes.js';
import { createWorkshopStore } from './workshops/store.js';
import { computeResults } from './results/aggregate.js';
import { crosstabRouter } from './results/crosstabRoutes.js';
import { protectedCrosstabRouter } from './results/protectedCrosstabRoutes.js';
import { publicResultsRouter } from './publicResults/routes.js';
import { createPublicResultsStore } from './publicResults/store.js';
import { synthesisRouter } from './synthesis/routes.js';
import { recodeRouter } from './results/recodeRoutes.js';
import { weightsRouter } from './weights/routes.js';

// The package doesn't export its UMD build: find it next to the package's main file.
const chartJsFile = path.join(path.dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');
// The word-cloud layout of the workshop projector, from its npm package (browser build).
const d3CloudFile = createRequire(import.meta.url).resolve('d3-cloud/build/d3.layout.cloud.js');

export type AppDeps = {
  db: Db;
  config: Config;
  questionnaire?: Questionnaire;
  /** Default campaign (dates from the environment); admins' saved settings take precedence. */
  campaign?: Campaign;
  territory?: Territory;
  /** The clock, injectable so tests can move through campaign dates and lockouts. */
  now?: () => Date;
  logger?: Logger;
  /** Live updates; one per process (server.ts closes it on shutdown). */
  hub?: SseHub;
};

/** Builds the whole application without listening: server.ts listens, tests call it directly. */
export function createApp(deps: AppDeps) {
  const { db, config } = deps;
  const questionnaire = deps.questionnaire ?? loadQuestionnaire();
  const campaign = createCampaignSettings(
    db,
    deps.campaign ?? buildCampaign({ opensAt: config.campaignOpensAt, closesAt: config.campaignClosesAt }),
  );
  const territory = deps.territory ?? sharedTerritory();
  const logger = deps.logger ?? consoleLogger;
  const now = deps.now ?? (() => new Date());
  const staffStore = createStaffStore(db);
  // The per-response summaries filtered results read (built once if any is missing).
  ensureAnswered(db);
  // That check reads every completed response once: hand the pages it cached back (memory of a
  // small server), they won't be read again soon.
  db.pragma('shrink_memory');
  // K for the release triggers of migration 011 (disclosure control, issue 9).
  configureRelease(db, config.minGroupSize);
  const hub = deps.hub ?? liveHub(config, logger);
  const streamOwner = staffStreamOwner({ db, store: staffStore, idleMs: config.staffSessionIdleMinutes * 60_000, now });

  const app = express();
  app.disable('x-powered-by');
  // Only behind a known number of proxies is X-Forwarded-For believed (rate limits, req.secure).
  app.set('trust proxy', config.trustProxy);
  app.set('query parser', 'simple');
  app.engine('hbs', createViewEngine());
  app.set('view engine', 'hbs');
  app.set('views', VIEWS_DIR);
  secureResponses(app);

  // Phones on mobile data: pages and assets gzip-compressed. Event streams must not be buffered
  // by the compressor. A valid POST answers with a bodiless redirect: nothing to compress there.
  const gzip = compression({ filter: (req, res) => !String(res.getHeader('Content-Type') ?? '').startsWith('text/event-stream') && compression.filter(req, res) });
  // Assets and public JSON answer GET only: a POST (a classroom's « Suivant ») walks past them
  // in one step instead of one per route.
  const publicGets = express.Router();
  // Chart.js comes from its npm package, served by the app (no CDN).
  publicGets.get('/static/vendor/chart.umd.min.js', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=86400').sendFile(chartJsFile);
  });
  publicGets.get('/static/vendor/d3.layout.cloud.js', (_req, res) => {
    res.set('Cache-Control', 'public, max-age=86400').sendFile(d3CloudFile);
  });
  publicGets.use(
    '/static',
    express.static(path.resolve(import.meta.dirname, '../public'), { maxAge: '1d', fallthrough: false, index: false }),
  );
  publicGets.get('/healthz', (_req, res) => {
    const row = db.prepare('SELECT count(*) AS n FROM schema_migrations').get() as { n: number };
    res.set('Cache-Control', 'no-store').json({ status: 'ok', migrations: row.n, questionnaire: `${questionnaire.id}@${questionnaire.version}` });
  });
  publicGets.get('/api/communes', communesHandler(territory));

  // The prelude of every request, run as one layer (see sequence.ts), in this order.
  app.use(
    sequence(
      requestLog(logger),
      (req, res, next) => {
        if (req.method !== 'GET' && req.method !== 'HEAD') return next();
        gzip(req, res, (err?: unknown) => (err ? next(err) : publicGets(req, res, next)));
      },
      // Form bodies only; 64 KB is far above the longest legitimate page and far below harm.
      formBody({ limit: 64 * 1024, parameterLimit: 500 }),
      readCookies(),
      noStore,
      loadStaff(staffStore, { idleMs: config.staffSessionIdleMinutes * 60_000, now }),
      csrfProtection({ boundTo: staffSessionSecret }),
    ),
  );
  const publicResults = createPublicResultsStore(db);
  const survey = surveyRouter({
    questionnaire,
    campaign: () => campaign.get(),
    territory,
    store: createSurveyStore(db),
    now,
    submitLimiter: createRateLimiter({ windowMs: 3600_000, max: config.submitRateLimit, now: () => now().getTime() }),
    draftStartLimiter: createRateLimiter({ windowMs: 3600_000, max: config.draftStartRateLimit, now: () => now().getTime() }),
    timing: createFormTiming(config.sessionSecret),
    minSectionSeconds: config.minSectionSeconds,
    contacts: { organiser: config.organiserContact, dpo: config.dpoContact },
    onComplete: resultsNotifier(db, hub),
    publicResultsPublished: () => publicResults.get().published,
  });
  app.post('/questionnaire/:step', survey.sectionPost);
  app.use(survey.router);
  app.use(publicResultsRouter({ db, questionnaire, store: publicResults, minGroupSize: config.minGroupSize, now }));
  app.use(staffNav);
  // Second factor and own-password pages first: they hold back an admin who must set one up.
  const twoFactor = createTwoFactor({ db, box: secretBoxFor({ sessionSecret: config.sessionSecret, databaseFile: db.name }), now });
  const throttle = createLoginThrottle(db, () => now().getTime());
  const security = { db, store: staffStore, twoFactor, now, live: hub, ...throttleHooks(throttle, staffStore) };
  app.use(securityRouter(security));
  app.use(staffRouter({ db, store: staffStore, campaign, now, live: hub, throttle, secondFactor: secondFactorAtLogin(security) }));
  app.use(staffHomeRouter({ db, campaign, now }));
  app.use(journalRouter({ db, questionnaire, campaign: () => campaign.get(), communeName: (c) => territory.byInsee.get(c)?.name }));
  app.use(campaignAdminRouter({ db, campaign, now }));
  app.use(analysisRouter({ db, questionnaire, territory, campaign: () => campaign.get(), minSectionSeconds: config.minSectionSeconds, now }));
  app.use(codingRouter({ db, questionnaire, territory, campaign: () => campaign.get(), now }));
  app.use(codingApi({ db, questionnaire, now }));
  app.use(cloudRouter({ db, questionnaire, territory, campaign: () => campaign.get(), now }));
  app.use(personalDataRouter({ db, questionnaire, now }));
  app.use(textBrowserLinks(questionnaire));
  // The printable synthesis, before /resultats/:section would look for a section « synthese ».
  app.use(synthesisRouter({ db, questionnaire, territory, campaign: () => campaign.get(), workshops: createWorkshopStore(db), minGroupSize: config.minGroupSize, now }));
  app.use(resultsRouter({ db, questionnaire, territory, campaign: () => campaign.get(), hub, now, minGroupSize: config.minGroupSize, streamOwner }));
  // Facilitators' crosstabs (protected), before the analysts' router that refuses them.
  app.use(protectedCrosstabRouter({ db, questionnaire, minGroupSize: config.minGroupSize }));
  app.use(crosstabRouter({ db, questionnaire, territory, campaign: () => campaign.get(), now }));
  app.use(recodeRouter({ db, questionnaire, now }));
  app.use(weightsRouter({ db, questionnaire, territory, campaign: () => campaign.get(), now }));
  app.use(exportsRouter({ db, questionnaire, territory, campaign: () => campaign.get(), now }));

  // Workshops: participants (/w), facilitators (/ateliers), JSON API (/api/workshops).
  const workshopStore = createWorkshopStore(db);
  const live = workshopLive(workshopStore, hub);
  app.use(participantRouter({ store: workshopStore, live }));
  app.use(workshopApi({ db, store: workshopStore, live, questionnaire, now }));
  app.use(
    facilitatorRouter({
      db,
      store: workshopStore,
      live,
      streamOwner,
      questionnaire,
      now,
      // The survey's overall figures beside a poll taken from the questionnaire, through
      // disclosure control: released responses and hidden small cells for facilitators.
      surveyResults: (role) =>
        audienceOf(role) === 'full'
          ? resultsFor('full', computeResults(db, questionnaire), config.minGroupSize)
          : resultsFor('protected', computeResults(db, questionnaire, { ...NO_FILTER, releasedOnly: true }), config.minGroupSize),
    }),
  );

  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}

/** The live-updates hub with the configured caps, the process cap kept within the fd limit. */
function liveHub(config: Config, logger: Logger): SseHub {
  const fdLimit = openFileLimit();
  const { cap, lowered } = streamCapFor(config.sseMaxTotal, fdLimit);
  if (lowered) logger.info(fr.live.capLowered(config.sseMaxTotal, cap, fdLimit!));
  return createSseHub({ maxPerSecond: 2, maxPerOwner: config.sseMaxPerSession, maxTotal: cap, heartbeatMs: config.sseHeartbeatSeconds * 1000 });
}
