import request from 'supertest';
import { createApp, type AppDeps } from '../src/app.js';
import { buildCampaign, type Campaign } from '../src/campaign/campaign.js';
import { defaultConfig, type Config } from '../src/config.js';
import { openDatabase, type Db } from '../src/db/connection.js';
import { silentLogger } from '../src/http/requestLog.js';

export type TestApp = { app: ReturnType<typeof createApp>; db: Db; logs: string[] };

/** A full app on a fresh in-memory database, with a logger that records what would be logged. */
export function makeApp(opts: { campaign?: Campaign; now?: () => Date; db?: Db; config?: Partial<Config> } = {}): TestApp {
  const db = opts.db ?? openDatabase(':memory:');
  const logs: string[] = [];
  const deps: AppDeps = {
    db,
    // Form timing off by default: scripted respondents are instantaneous. Tests of the
    // "too fast" flag set it explicitly.
    config: defaultConfig({ minSectionSeconds: 0, ...opts.config }),
    campaign: opts.campaign ?? buildCampaign({}),
    now: opts.now,
    logger: { ...silentLogger, info: (m) => logs.push(m), error: (m, e) => logs.push(`${m} ${String(e)}`) },
  };
  return { app: createApp(deps), db, logs };
}

export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('pas de jeton CSRF dans la page');
  return m[1];
}

/** Form body as the browser sends it (repeated keys for checkboxes). */
export function formBody(fields: Record<string, string | string[] | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  }
  return p.toString();
}

/** One respondent's browser: keeps cookies, reads the CSRF token from each page like a browser would. */
export class Respondent {
  readonly agent: ReturnType<typeof request.agent>;
  constructor(app: TestApp['app']) {
    this.agent = request.agent(app);
  }

  async open(step: number) {
    const res = await this.agent.get(`/questionnaire/${step}`);
    return res;
  }

  /** GETs the section page (for its token) and posts the fields. */
  async post(step: number, fields: Record<string, string | string[] | undefined>, action = 'next') {
    const page = await this.agent.get(`/questionnaire/${step}`).redirects(0);
    const token = page.status === 200 ? csrfFrom(page.text) : await this.token();
    // Like a browser, echo the page's hidden fields (the signed time the page was shown).
    const stamp = /name="_t" value="([^"]+)"/.exec(page.text)?.[1];
    return this.agent
      .post(`/questionnaire/${step}`)
      .type('form')
      .send(formBody({ _csrf: token, _t: stamp, action, ...fields }));
  }

  /** Posts without fetching the page first (replays, double taps). */
  async postRaw(step: number, body: string) {
    return this.agent.post(`/questionnaire/${step}`).type('form').send(body);
  }

  /** A token from a page with a form (section 1, or the "already answered" page). */
  async token(): Promise<string> {
    const res = await this.agent.get('/questionnaire/1').redirects(2);
    return csrfFrom(res.text);
  }
}

/** A valid answer set for every section, following the report's typical respondent. */
export const validAnswers: Record<number, Record<string, string | string[]>> = {
  1: { age: '16', genre: 'feminin', commune: 'bethune', situation: 'lycee', filiere: 'professionnelle', lieu_activite: 'pma' },
  2: {
    aime_vivre: 'plutot_oui',
    points_forts: ['histoire', 'sport_rc_lens'],
    points_faibles: ['transports'],
    opinions_territoire__fierte: 'accord',
    opinions_territoire__deplacements: 'desaccord',
    rester_vivre: 'plutot_non',
    raisons_partir: ['emploi', 'changement'],
    ameliorer_territoire: 'Plus de bus le soir et le week-end.',
  },
  3: {
    poursuivre_etudes: 'oui',
    formation_pro: 'oui',
    metier_connu: 'oui',
    metier: 'Infirmière',
    attentes_emploi__rang1: 'salaire',
    attentes_emploi__rang2: 'conditions_travail',
    attentes_emploi__rang3: 'epanouissement',
    freins: ['argent', 'stage_alternance'],
  },
  4: {
    mots_industrie: 'usine, pollution, travail',
    envisager_industrie: 'plutot_non',
    convaincre_industrie: ['connaitre_secteur', 'salaires'],
    image_industrie__polluante: 'accord',
  },
};

export async function completeSurvey(r: Respondent, answers = validAnswers) {
  for (const step of [1, 2, 3, 4]) {
    const res = await r.post(step, answers[step]);
    if (res.status !== 303) throw new Error(`étape ${step} : ${res.status}\n${res.text.slice(0, 2000)}`);
  }
}

export function countRows(db: Db, sql: string, ...params: unknown[]): number {
  return (db.prepare(sql).get(...params) as { n: number }).n;
}
