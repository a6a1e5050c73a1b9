import { describe, expect, it } from 'vitest';
import { loadConfig, parseParisDate } from '../src/config.js';

describe('configuration', () => {
  it('has working defaults', () => {
    expect(loadConfig({})).toEqual({
      port: 3000, host: '0.0.0.0', databasePath: './data/avenir.db', nodeEnv: 'development',
      campaignOpensAt: undefined, campaignClosesAt: undefined, cookieSecure: false,
    });
  });

  it.each([
    [{ PORT: 'abc' }, /PORT/],
    [{ PORT: '70000' }, /PORT/],
    [{ NODE_ENV: 'staging' }, /NODE_ENV/],
    [{ CAMPAIGN_OPENS_AT: '25/11/2022' }, /CAMPAIGN_OPENS_AT: date attendue/],
    [{ CAMPAIGN_OPENS_AT: '2023-02-01', CAMPAIGN_CLOSES_AT: '2022-11-25' }, /CAMPAIGN_CLOSES_AT doit être après/],
    [{ COOKIE_SECURE: 'yes' }, /COOKIE_SECURE/],
  ])('fails fast on %o', (env, message) => {
    expect(() => loadConfig(env as NodeJS.ProcessEnv)).toThrow(message);
  });

  it('reads campaign dates as Paris wall-clock time, summer and winter', () => {
    expect(parseParisDate('2022-11-25').toISOString()).toBe('2022-11-24T23:00:00.000Z');
    expect(parseParisDate('2023-06-30T18:00').toISOString()).toBe('2023-06-30T16:00:00.000Z');
    const c = loadConfig({ CAMPAIGN_OPENS_AT: '2022-11-25', CAMPAIGN_CLOSES_AT: '2023-02-01', PORT: '8080' });
    expect(c.port).toBe(8080);
    expect(c.campaignClosesAt?.toISOString()).toBe('2023-01-31T23:00:00.000Z');
  });
});
