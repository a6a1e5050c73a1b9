import { describe, expect, it } from 'vitest';
import { createFormTiming } from '../../src/survey/formTiming.js';
import { fr } from '../../src/strings.js';
import { csrfFrom, formBody, makeApp, Respondent, validAnswers } from '../helpers.js';
import { addStaff, signIn } from '../staff/helpers.js';

// Issue 9, part 5: a `_t` stamp the server did not sign flags the response like a too-fast page
// (it was not flagged when badly signed), each with its own reason shown to analysts.

describe('form timing stamps', () => {
  const other = createFormTiming('une-autre-cle-secrete-de-32-caracteres!!');
  const NOW = new Date('2026-03-01T10:00:00Z');
  const shownAt = new Date(NOW.getTime() - 60_000);

  it.each<[string, (real: string) => string | undefined, string | null]>([
    ['a stamp of the page, read for a minute', (real) => real, null],
    ['no stamp', () => undefined, 'horodatage'],
    ['a malformed stamp', () => 'abc', 'horodatage'],
    ['a stamp with a made-up signature', (real) => `${real.split('.')[0]}.AAAAAAAAAAAAAAAAAAAAAA`, 'signature'],
    ['a stamp signed with another key', () => other.stamp(shownAt), 'signature'],
    ['the real signature on another time', (real) => `${Number(real.split('.')[0]) - 3_600_000}.${real.split('.')[1]}`, 'signature'],
  ])('%s', async (_label, forge, reason) => {
    let now = shownAt;
    const { app, db } = makeApp({ now: () => now, config: { minSectionSeconds: 3, sessionSecret: 'la-cle-secrete-de-ce-serveur-32-caracteres' } });
    const r = new Respondent(app);
    const page = await r.open(1);
    now = NOW;
    const real = /name="_t" value="([^"]+)"/.exec(page.text)![1];
    const res = await r.postRaw(1, formBody({ _csrf: csrfFrom(page.text), _t: forge(real), ...validAnswers[1] }));
    expect(res.status).toBe(303);
    expect(db.prepare('SELECT flagged, flag_reason AS reason FROM responses').get()).toEqual({ flagged: reason ? 1 : 0, reason });
  });

  it('analysts read each reason in French on the flagged-responses page', async () => {
    const { app, db } = makeApp({ config: { minSectionSeconds: 3 } });
    for (const stamp of [undefined, '1700000000000.AAAAAAAAAAAAAAAAAAAAAA']) {
      const r = new Respondent(app);
      const page = await r.open(1);
      await r.postRaw(1, formBody({ _csrf: csrfFrom(page.text), _t: stamp, ...validAnswers[1] }));
    }
    await addStaff(db, 'ana@example.org', 'analyst');
    const { agent } = await signIn(app, 'ana@example.org');
    const list = await agent.get('/analyse/signalements');
    expect(list.status).toBe(200);
    expect(list.text).toContain(fr.analysis.reasons.horodatage);
    expect(list.text).toContain(fr.analysis.reasons.signature);
  });
});
