import type { Response } from 'express';

/**
 * Server-Sent Events fan-out. Publishers only mark a topic as changed; at most `maxPerSecond`
 * times per second the topic's payload is computed once and written to every subscriber. So a
 * burst of 100 completions a second costs a handful of aggregations, not 100 × clients.
 */
export function createSseHub(opts: { maxPerSecond?: number; heartbeatMs?: number } = {}) {
  const interval = 1000 / (opts.maxPerSecond ?? 4);
  const heartbeatMs = opts.heartbeatMs ?? 25_000;
  type Topic = {
    clients: Set<Response>;
    payload: () => unknown;
    dirty: boolean;
    timer?: NodeJS.Timeout;
    lastSent: number;
    lastEventId: number;
  };
  const topics = new Map<string, Topic>();

  const send = (res: Response, event: string, id: number, data: string) => {
    // One write per event: "id", "event", then the data lines, then a blank line.
    res.write(`id: ${id}\nevent: ${event}\ndata: ${data.replace(/\n/g, '\ndata: ')}\n\n`);
  };

  const flush = (name: string, t: Topic) => {
    t.timer = undefined;
    if (!t.dirty || t.clients.size === 0) return;
    t.dirty = false;
    t.lastSent = Date.now();
    t.lastEventId += 1;
    const data = JSON.stringify(t.payload());
    for (const res of t.clients) send(res, 'update', t.lastEventId, data);
    void name;
  };

  const heartbeat = setInterval(() => {
    for (const t of topics.values()) for (const res of t.clients) res.write(': ping\n\n');
  }, heartbeatMs);
  heartbeat.unref();

  return {
    /** Registers what a topic sends; called once per topic by the route that owns it. */
    define(name: string, payload: () => unknown) {
      const existing = topics.get(name);
      if (existing) existing.payload = payload;
      else topics.set(name, { clients: new Set(), payload, dirty: false, lastSent: 0, lastEventId: 0 });
    },

    /** Keeps the response open as an event stream; sends the current state at once. */
    subscribe(name: string, res: Response, initial?: unknown) {
      const t = topics.get(name);
      if (!t) throw new Error(`Sujet SSE inconnu : ${name}`);
      res.status(200).set({
        'Content-Type': 'text/event-stream; charset=utf-8',
        'Cache-Control': 'no-store',
        Connection: 'keep-alive',
        // Tell reverse proxies (nginx) not to buffer the stream.
        'X-Accel-Buffering': 'no',
      });
      res.flushHeaders();
      res.write('retry: 3000\n\n');
      send(res, 'update', t.lastEventId, JSON.stringify(initial ?? t.payload()));
      t.clients.add(res);
      res.on('close', () => t.clients.delete(res));
    },

    /** Something changed: subscribers get the new state within 1/maxPerSecond seconds. */
    notify(name: string) {
      const t = topics.get(name);
      if (!t || t.clients.size === 0) return;
      t.dirty = true;
      if (t.timer) return;
      const wait = Math.max(0, interval - (Date.now() - t.lastSent));
      t.timer = setTimeout(() => flush(name, t), wait);
    },

    clientCount(name: string): number {
      return topics.get(name)?.clients.size ?? 0;
    },

    close() {
      clearInterval(heartbeat);
      for (const t of topics.values()) {
        if (t.timer) clearTimeout(t.timer);
        for (const res of t.clients) res.end();
        t.clients.clear();
      }
    },
  };
}

export type SseHub = ReturnType<typeof createSseHub>;
