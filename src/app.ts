import path from 'node:path';
import cookieParser from 'cookie-parser';
import express from 'express';
import { buildCampaign, type Campaign } from './campaign/campaign.js';
import type { Config } from './config.js';
import type { Db } from './db/connection.js';
import { csrfProtection } from './http/csrf.js';
import { errorHandler, notFound } from './http/errors.js';
import { consoleLogger, requestLog, type Logger } from './http/requestLog.js';
import { securityHeaders } from './http/securityHeaders.js';
import { createViewEngine, VIEWS_DIR } from './http/views.js';
import { loadQuestionnaire } from './questionnaire/index.js';
import type { Questionnaire } from './questionnaire/schema.js';
import { surveyRouter } from './survey/routes.js';
import { createSurveyStore } from './survey/store.js';
import { territory as sharedTerritory, type Territory } from './territory/communes.js';
import { territoryRouter } from './territory/routes.js';

export type AppDeps = {
  db: Db;
  config: Pick<Config, 'cookieSecure' | 'campaignOpensAt' | 'campaignClosesAt'>;
  questionnaire?: Questionnaire;
  campaign?: Campaign;
  territory?: Territory;
  /** The clock, injectable so tests can move through campaign dates. */
  now?: () => Date;
  logger?: Logger;
};

/** Builds the whole application without listening: server.ts listens, tests call it directly. */
export function createApp(deps: AppDeps) {
  const questionnaire = deps.questionnaire ?? loadQuestionnaire();
  const campaign =
    deps.campaign ?? buildCampaign({ opensAt: deps.config.campaignOpensAt, closesAt: deps.config.campaignClosesAt });
  const territory = deps.territory ?? sharedTerritory();
  const logger = deps.logger ?? consoleLogger;
  const now = deps.now ?? (() => new Date());

  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.engine('hbs', createViewEngine());
  app.set('view engine', 'hbs');
  app.set('views', VIEWS_DIR);

  app.use(requestLog(logger));
  app.use(securityHeaders({ https: deps.config.cookieSecure }));
  app.use(
    '/static',
    express.static(path.resolve(import.meta.dirname, '../public'), { maxAge: '1d', fallthrough: false, index: false }),
  );
  app.get('/healthz', (_req, res) => {
    const row = deps.db.prepare('SELECT count(*) AS n FROM schema_migrations').get() as { n: number };
    res.set('Cache-Control', 'no-store').json({ status: 'ok', migrations: row.n, questionnaire: `${questionnaire.id}@${questionnaire.version}` });
  });
  app.use(territoryRouter(territory));

  // Form bodies only; 64 KB is far above the longest legitimate page and far below harm.
  app.use(express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 500 }));
  app.use(cookieParser());
  app.use((_req, res, next) => {
    // Pages hold a respondent's answers: never cached by a shared device or proxy.
    res.set('Cache-Control', 'no-store');
    next();
  });
  app.use(csrfProtection({ secure: deps.config.cookieSecure }));
  app.use(
    surveyRouter({ questionnaire, campaign, territory, store: createSurveyStore(deps.db), now, cookieSecure: deps.config.cookieSecure }),
  );

  app.use(notFound);
  app.use(errorHandler(logger));
  return app;
}
