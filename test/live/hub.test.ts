import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { createSseHub, type SseHub } from '../../src/live/hub.js';

/** Reads server-sent events from a streaming fetch. */
async function openStream(url: string) {
  const controller = new AbortController();
  const res = await fetch(url, { signal: controller.signal });
  const events: { event: string; data: unknown; at: number }[] = [];
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  const done = (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += decoder.decode(value, { stream: true });
        let i;
        while ((i = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, i);
          buffer = buffer.slice(i + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = [...block.matchAll(/^data: (.*)$/gm)].map((m) => m[1]).join('\n');
          if (event) events.push({ event, data: JSON.parse(data), at: Date.now() });
        }
      }
    } catch {
      /* aborted */
    }
  })();
  return { res, events, close: () => (controller.abort(), done) };
}

let hub: SseHub | undefined;
let server: ReturnType<express.Express['listen']> | undefined;
afterEach(() => {
  hub?.close();
  server?.close();
});

describe('SSE hub', () => {
  it('sends the current state at once, then coalesces a burst into a few updates per second', async () => {
    hub = createSseHub({ maxPerSecond: 4 });
    let counter = 0;
    hub.define('resultats', () => ({ counter }));
    const app = express();
    app.get('/flux', (_req, res) => hub!.subscribe('resultats', res));
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server!.once('listening', r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/flux`;
    const clients = await Promise.all([openStream(url), openStream(url), openStream(url)]);
    expect(clients[0].res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    await new Promise((r) => setTimeout(r, 50));
    expect(hub.clientCount('resultats')).toBe(3);

    // 200 changes in about half a second.
    for (let i = 0; i < 200; i++) {
      counter++;
      hub.notify('resultats');
      if (i % 20 === 0) await new Promise((r) => setTimeout(r, 25));
    }
    await new Promise((r) => setTimeout(r, 600));
    for (const c of clients) {
      expect(c.events[0]).toMatchObject({ event: 'update', data: { counter: 0 } });
      const updates = c.events.slice(1);
      // At most 4 per second over ~0.85 s, plus the trailing one: far fewer than 200.
      expect(updates.length).toBeGreaterThanOrEqual(1);
      expect(updates.length).toBeLessThanOrEqual(5);
      expect(updates[updates.length - 1].data).toEqual({ counter: 200 });
    }
    await Promise.all(clients.map((c) => c.close()));
    await new Promise((r) => setTimeout(r, 50));
    expect(hub.clientCount('resultats')).toBe(0);
  });
});
