import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../src/app.js';
import { buildCampaign } from '../../src/campaign/campaign.js';
import { defaultConfig, type Config } from '../../src/config.js';
import { openDatabase, type Db } from '../../src/db/connection.js';
import { silentLogger } from '../../src/http/requestLog.js';
import type { SseHub } from '../../src/live/hub.js';

/** The whole app listening on a free port (streams need a real socket), with its database. */
export async function listeningApp(opts: { config?: Partial<Config>; hub?: SseHub; now?: () => Date } = {}) {
  const db: Db = openDatabase(':memory:');
  const app = createApp({
    db,
    config: defaultConfig({ minSectionSeconds: 0, ...opts.config }),
    campaign: buildCampaign({}),
    logger: silentLogger,
    hub: opts.hub,
    now: opts.now,
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((r) => server.once('listening', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { app, db, server, base, close: () => new Promise((r) => (server.closeAllConnections(), server.close(r))) };
}

// One connection per stream, as separate browser tabs or an attacker's script would open them.
const agent = new http.Agent({ keepAlive: false, maxSockets: Infinity });

export type OpenedStream = {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Everything received so far (the whole body for a refusal). */
  text: () => string;
  /** Resolves once the server has ended or cut the stream. */
  ended: Promise<void>;
  hasEnded: () => boolean;
  waitFor: (needle: string, ms?: number) => Promise<void>;
  close: () => void;
};

/** GET url with these headers; resolves on the response head (the body of a refusal read whole). */
export function openStream(url: string, headers: Record<string, string> = {}): Promise<OpenedStream> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent, headers }, (res) => {
      let text = '';
      let ended = false;
      const listeners = new Set<() => void>();
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
        for (const l of listeners) l();
      });
      const endedP = new Promise<void>((done) => {
        const finish = () => {
          ended = true;
          for (const l of listeners) l();
          done();
        };
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', finish);
      });
      const stream: OpenedStream = {
        status: res.statusCode!,
        headers: res.headers,
        text: () => text,
        ended: endedP,
        hasEnded: () => ended,
        waitFor: (needle, ms = 5000) =>
          new Promise((ok, ko) => {
            const timer = setTimeout(() => ko(new Error(`pas de « ${needle} » en ${ms} ms ; reçu : ${text.slice(-300)}`)), ms);
            const l = () => {
              if (text.includes(needle)) {
                clearTimeout(timer);
                listeners.delete(l);
                ok();
              } else if (ended) {
                clearTimeout(timer);
                listeners.delete(l);
                ko(new Error(`flux terminé sans « ${needle} » ; reçu : ${text.slice(-300)}`));
              }
            };
            listeners.add(l);
            l();
          }),
        close: () => req.destroy(),
      };
      if (res.statusCode === 200) resolve(stream);
      else endedP.then(() => resolve(stream));
    });
    req.on('error', reject);
  });
}

/** Resolves when the promise does, or rejects after ms: "the stream ended" must happen soon. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, ko) => setTimeout(() => ko(new Error(`${what} : rien après ${ms} ms`)), ms))]);
}

/** The request cookies a supertest agent got at login, as a browser would send them. */
export function cookieHeader(setCookie: unknown): string {
  return (setCookie as string[]).map((c) => c.split(';')[0]).join('; ');
}
