import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { completeSurvey, makeApp, Respondent } from '../helpers.js';
import { addStaff, signIn } from '../staff/helpers.js';

describe('live dashboard', () => {
  it('pushes the new number of responses to an analyst’s dashboard when a respondent completes', async () => {
    const t = makeApp();
    // Analysts follow every completion; facilitators only released steps (test/privacy/attacks.test.ts).
    await addStaff(t.db, 'analyste@example.org', 'analyst');
    const { res: login } = await signIn(t.app, 'analyste@example.org');
    const cookie = (login.headers['set-cookie'] as unknown as string[]).map((c) => c.split(';')[0]).join('; ');
    const server = t.app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const controller = new AbortController();
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/resultats/flux`, {
        headers: { Cookie: cookie },
        signal: controller.signal,
      });
      expect(res.status).toBe(200);
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      const waitFor = async (needle: string) => {
        while (!text.includes(needle)) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`flux terminé sans « ${needle} »`);
          text += decoder.decode(value, { stream: true });
        }
      };
      await waitFor('data: {"responses":0}');
      await completeSurvey(new Respondent(t.app));
      await waitFor('data: {"responses":1}');
      // Anonymous clients get nothing.
      expect((await request(t.app).get('/resultats/flux')).status).toBe(401);
    } finally {
      controller.abort();
      server.close();
    }
  });
});
