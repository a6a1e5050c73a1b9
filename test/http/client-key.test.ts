import { describe, expect, it } from 'vitest';
import { addressGroup, clientKey } from '../../src/http/rateLimit.js';
import { completeSurvey, makeApp, Respondent, validAnswers } from '../helpers.js';

// Issue 9, part 5: limits count networks as they are handed out. One IPv6 /64 is one home, phone
// or server, which can use any of its 2^64 addresses: it gets one allowance, not one per address.

describe('address grouping for limits', () => {
  it.each([
    ['198.51.100.7', 'ipv4:198.51.100.7'],
    ['198.51.100.8', 'ipv4:198.51.100.8'],
    ['::ffff:198.51.100.7', 'ipv4:198.51.100.7'],
    ['::ffff:c633:6407', 'ipv4:198.51.100.7'],
    ['2001:db8:aa:1::1', 'ipv6:2001:db8:aa:1::/64'],
    ['2001:db8:aa:1:ffff:ffff:ffff:fffe', 'ipv6:2001:db8:aa:1::/64'],
    ['2001:0db8:00aa:0001:0000:0000:0000:0002', 'ipv6:2001:db8:aa:1::/64'],
    ['2001:db8:aa:2::1', 'ipv6:2001:db8:aa:2::/64'],
    ['fe80::1%eth0', 'ipv6:fe80:0:0:0::/64'],
    ['pas-une-adresse', 'autre:pas-une-adresse'],
    ['', 'inconnu'],
  ])('%s → %s', (address, group) => {
    expect(addressGroup(address)).toBe(group);
  });

  it('reads the address Express computed, or the socket', () => {
    expect(clientKey({ ip: '2001:db8::5' })).toBe('ipv6:2001:db8:0:0::/64');
    expect(clientKey({ socket: { remoteAddress: '::ffff:127.0.0.1' } })).toBe('ipv4:127.0.0.1');
    expect(clientKey({})).toBe('inconnu');
  });
});

describe('one allowance per network (completions, SUBMIT_RATE_LIMIT=1)', () => {
  /** Completes a questionnaire from `address` (behind one trusted proxy); returns the last status. */
  async function completeFrom(app: ReturnType<typeof makeApp>['app'], address: string) {
    const r = new Respondent(app);
    r.agent.set('X-Forwarded-For', address);
    for (const s of [1, 2, 3]) await r.post(s, validAnswers[s]);
    return (await r.post(4, validAnswers[4])).status;
  }

  it.each([
    ['two addresses of the same /64 share it', '2001:db8:aa:1::1', '2001:db8:aa:1::2', 429],
    ['the far end of the same /64 too', '2001:db8:aa:1::1', '2001:db8:aa:1:ffff:ffff:ffff:ffff', 429],
    ['another /64 has its own', '2001:db8:aa:1::1', '2001:db8:aa:2::1', 303],
    ['an IPv4-mapped address is that IPv4 address', '198.51.100.7', '::ffff:198.51.100.7', 429],
    ['another IPv4 address has its own', '198.51.100.7', '198.51.100.8', 303],
  ])('%s', async (_label, first, second, secondStatus) => {
    const { app } = makeApp({ config: { submitRateLimit: 1, trustProxy: 1 } });
    expect(await completeFrom(app, first)).toBe(303);
    expect(await completeFrom(app, second)).toBe(secondStatus);
  });

  it('the same grouping limits draft starts (DRAFT_START_RATE_LIMIT=1)', async () => {
    const { app } = makeApp({ config: { draftStartRateLimit: 1, trustProxy: 1 } });
    const start = async (address: string) => {
      const r = new Respondent(app);
      r.agent.set('X-Forwarded-For', address);
      return (await r.post(1, validAnswers[1])).status;
    };
    expect(await start('2001:db8:bb:1::10')).toBe(303);
    expect(await start('2001:db8:bb:1::11')).toBe(429);
    expect(await start('2001:db8:bb:2::10')).toBe(303);
    const plain = new Respondent(app);
    await completeSurvey(plain); // no forwarded address: the socket's own, its own allowance
  });
});
