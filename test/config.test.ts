import { describe, expect, it } from 'vitest';
import { loadConfig, parseParisDate } from '../src/config.js';

describe('configuration', () => {
  it('has working defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 3000, host: '0.0.0.0', databasePath: './data/avenir.db', nodeEnv: 'development',
      campaignOpensAt: undefined, campaignClosesAt: undefined, trustProxy: 0,
      adminEmail: undefined, adminPassword: undefined, submitRateLimit: 300, draftStartRateLimit: 600, sessionSecret: undefined,
      draftRetentionDays: 30, staffSessionIdleMinutes: 30, minSectionSeconds: 3, minGroupSize: 5,
      walCheckpointSeconds: 60, dbCompactHour: 3,
      sseMaxPerSession: 6, sseMaxTotal: 2500, sseHeartbeatSeconds: 20,
      organiserContact: undefined, dpoContact: undefined,
    });
  });

  it.each([
    [{ PORT: 'abc' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ NODE_ENV: 'staging' }, /NODE_ENV/],
    [{ CAMPAIGN_OPENS_AT: '25/11/2022' }, /CAMPAIGN_OPENS_AT: date attendue/],
    [{ CAMPAIGN_OPENS_AT: '2023-02-01', CAMPAIGN_CLOSES_AT: '2022-11-25' }, /CAMPAIGN_CLOSES_AT doit être après/],
    [{ TRUST_PROXY: 'oui' }, /TRUST_PROXY/],
    [{ TRUST_PROXY: 'true' }, /TRUST_PROXY: attendu un nombre de proxys/],
    [{ TRUST_PROXY: '11' }, /TRUST_PROXY: nombre de proxys entre 0 et 10/],
    [{ TRUST_PROXY: '10.0.0.0/33' }, /invalide : 10\.0\.0\.0\/33/],
    [{ TRUST_PROXY: 'loopback,10.0.0.0/255.0.255.0' }, /invalide : 10\.0\.0\.0\/255\.0\.255\.0/],
    [{ TRUST_PROXY: '0x7f.1' }, /TRUST_PROXY/],
    [{ STAFF_SESSION_IDLE_MINUTES: '2' }, /STAFF_SESSION_IDLE_MINUTES/],
    [{ SUBMIT_RATE_LIMIT: '-1' }, /SUBMIT_RATE_LIMIT/],
    [{ ADMIN_EMAIL: 'pas-une-adresse', ADMIN_PASSWORD: 'x'.repeat(12) }, /ADMIN_EMAIL/],
    [{ ADMIN_EMAIL: 'admin@example.org' }, /ADMIN_EMAIL et ADMIN_PASSWORD vont ensemble/],
    [{ ADMIN_EMAIL: 'admin@example.org', ADMIN_PASSWORD: 'court' }, /ADMIN_PASSWORD: 12 caractères/],
    [{ SESSION_SECRET: 'trop-court' }, /SESSION_SECRET/],
    [{ DRAFT_RETENTION_DAYS: '0' }, /DRAFT_RETENTION_DAYS/],
    [{ SSE_MAX_PER_SESSION: '0' }, /SSE_MAX_PER_SESSION/],
    [{ SSE_MAX_TOTAL: 'beaucoup' }, /SSE_MAX_TOTAL/],
    [{ SSE_HEARTBEAT_SECONDS: '1' }, /SSE_HEARTBEAT_SECONDS/],
    [{ ORGANISER_CONTACT: 'x'.repeat(301) }, /ORGANISER_CONTACT/],
    [{ DPO_CONTACT: 'ab' }, /DPO_CONTACT/],
    [{ MIN_GROUP_SIZE: '1' }, /MIN_GROUP_SIZE: 2 au moins/],
    [{ MIN_GROUP_SIZE: 'cinq' }, /MIN_GROUP_SIZE/],
    [{ MIN_GROUP_SIZE: '3.5' }, /MIN_GROUP_SIZE/],
  ])('fails fast on %o', (env, message) => {
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(message);
  });

  it.each([
    ['0', 0],
    ['2', 2],
    ['loopback', ['loopback']],
    ['127.0.0.1', ['127.0.0.1']],
    ['10.0.0.0/8,fd00::/8', ['10.0.0.0/8', 'fd00::/8']],
    [' loopback , 10.0.0.0/255.0.0.0 ', ['loopback', '10.0.0.0/255.0.0.0']],
  ])('reads TRUST_PROXY=%j as express does', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });

  it('reads campaign dates as Paris wall-clock time, summer and winter', () => {
    expect(parseParisDate('2022-11-25').toISOString()).toBe('2022-11-24T23:00:00.000Z');
    expect(parseParisDate('2023-06-30T18:00').toISOString()).toBe('2023-06-30T16:00:00.000Z');
    const c = loadConfig({ CAMPAIGN_OPENS_AT: '2022-11-25', CAMPAIGN_CLOSES_AT: '2023-02-01', PORT: '8080' });
    expect(c.port).toBe(8080);
    expect(c.campaignClosesAt?.toISOString()).toBe('2023-01-31T23:00:00.000Z');
  });

  it('reads the privacy page contacts as given, trimmed', () => {
    const c = loadConfig({ ORGANISER_CONTACT: ' Pôle Métropolitain de l’Artois, contact@exemple.fr ', DPO_CONTACT: 'dpo@exemple.fr' });
    expect(c.organiserContact).toBe('Pôle Métropolitain de l’Artois, contact@exemple.fr');
    expect(c.dpoContact).toBe('dpo@exemple.fr');
  });
});
