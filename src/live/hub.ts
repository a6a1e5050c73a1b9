import type { Response } from 'express';
import { fr } from '../strings.js';

/**
 * Who a stream belongs to, as the route that opens it says. The hub never looks inside: `key` is
 * opaque (a staff session's hash, an API token's hash, later a workshop participant's cookie).
 */
export type StreamOwner = {
  /** What the per-owner cap counts against; also what closeOwner() closes. */
  key: string;
  /** The person behind the key, when there is one: closeUser() closes all their streams. */
  userId?: string;
  /**
   * Is the owner still allowed to listen (session alive, account active, same role, token not
   * revoked)? Called once per owner, not per stream, at every heartbeat and on revalidateUser().
   * False, or an exception, closes every stream of the owner; a still-valid client reconnects by
   * itself (EventSource retries after 3 s) and is checked again on the way in.
   */
  stillValid?: () => boolean;
};

export type SseHubOptions = {
  /** Updates per topic per second at most (a burst is coalesced). */
  maxPerSecond?: number;
  /** Pings, revalidation and dead-client checks happen at this period. */
  heartbeatMs?: number;
  /** Streams one owner may hold at once (a dashboard in a few tabs). */
  maxPerOwner?: number;
  /** Streams the whole process may hold (file descriptors and memory, see README). */
  maxTotal?: number;
  /** A client with more than this still unsent is not reading: dropped. */
  maxBufferedBytes?: number;
  /** TCP keep-alive probes start after this much silence (half-open connections). */
  keepAliveMs?: number;
  /**
   * A stream is ended after this long (at the next heartbeat) and the browser reconnects within
   * seconds. Bounds what a half-open connection can hold: pings in flight defer TCP keep-alive,
   * and the kernel only gives up after its retransmissions (~15 min on Linux).
   */
  maxAgeMs?: number;
};

/** Streams opened without an owner share this one, so they are capped together. */
const UNOWNED: StreamOwner = { key: 'sans-proprietaire' };

/**
 * Server-Sent Events fan-out. Publishers only mark a topic as changed; at most `maxPerSecond`
 * times per second the topic's payload is computed once and written to every subscriber. So a
 * burst of 100 completions a second costs a handful of aggregations, not 100 × clients.
 *
 * Each stream holds a socket (a file descriptor) and ~30 KB: the hub refuses, before allocating
 * anything, past `maxPerOwner` streams for one owner or `maxTotal` for the process; it drops
 * clients that stopped reading or whose writes fail, and closes streams whose owner is no longer
 * valid (checked at every heartbeat, or at once through closeOwner/closeUser/revalidateUser).
 */
export function createSseHub(opts: SseHubOptions = {}) {
  const interval = 1000 / (opts.maxPerSecond ?? 4);
  const heartbeatMs = opts.heartbeatMs ?? 20_000;
  const maxPerOwner = opts.maxPerOwner ?? 6;
  const maxTotal = opts.maxTotal ?? 2500;
  // Updates are a few dozen bytes: 64 KB unsent is hundreds of unread events.
  const maxBuffered = opts.maxBufferedBytes ?? 64 * 1024;
  // Well inside a heartbeat period, so the probes (10, one second apart, set by libuv) can
  // conclude while nothing is in flight: a peer that vanished is found within ~keepAlive + 10 s.
  const keepAliveMs = opts.keepAliveMs ?? Math.max(1000, Math.floor(heartbeatMs / 4));
  const maxAgeMs = opts.maxAgeMs ?? 10 * 60_000;
  const retryAfter = String(Math.max(1, Math.ceil(heartbeatMs / 1000)));

  type Topic = {
    streams: Set<Stream>;
    payload: () => unknown;
    dirty: boolean;
    timer?: NodeJS.Timeout;
    lastSent: number;
    lastEventId: number;
  };
  type Owner = { key: string; userId?: string; stillValid?: () => boolean; streams: Set<Stream> };
  type Stream = { res: Response; topic: Topic; owner: Owner; stalledBeats: number; openedAt: number };

  const topics = new Map<string, Topic>();
  const owners = new Map<string, Owner>();
  let total = 0;

  const send = (res: Response, event: string, id: number, data: string) => {
    // One write per event: "id", "event", then the data lines, then a blank line.
    res.write(`id: ${id}\nevent: ${event}\ndata: ${data.replace(/\n/g, '\ndata: ')}\n\n`);
  };

  /** Forgets a stream (idempotent): the counts the caps read go down at once. */
  const forget = (s: Stream) => {
    if (!s.topic.streams.delete(s)) return;
    total--;
    s.owner.streams.delete(s);
    if (s.owner.streams.size === 0 && owners.get(s.owner.key) === s.owner) owners.delete(s.owner.key);
  };

  /** A client that is gone or not reading: nothing more is worth sending, free the socket now. */
  const drop = (s: Stream) => {
    forget(s);
    s.res.destroy();
  };

  /** The owner lost its right to listen: end the stream cleanly so the client sees it end. */
  const end = (s: Stream) => {
    forget(s);
    // A client with unsent data would keep an ended response (and its socket) waiting.
    if (s.res.writableLength > 0) s.res.destroy();
    else s.res.end();
  };

  const endOwner = (o: Owner) => {
    for (const s of [...o.streams]) end(s);
  };

  const check = (o: Owner) => {
    if (!o.stillValid) return;
    let ok = false;
    try {
      ok = o.stillValid();
    } catch {
      // Fail closed: a valid client reconnects within seconds and is checked again.
      ok = false;
    }
    if (!ok) endOwner(o);
  };

  /** Not reading: too much unsent, or the socket has wanted a drain for two heartbeats running. */
  const stalled = (s: Stream) => {
    if (s.res.writableLength > maxBuffered) return true;
    s.stalledBeats = s.res.socket?.writableNeedDrain ? s.stalledBeats + 1 : 0;
    return s.stalledBeats >= 2;
  };

  const write = (s: Stream, chunk: () => void) => {
    if (s.res.writableLength > maxBuffered) return drop(s);
    try {
      chunk();
    } catch {
      drop(s);
    }
  };

  const flush = (t: Topic) => {
    t.timer = undefined;
    if (!t.dirty || t.streams.size === 0) return;
    t.dirty = false;
    t.lastSent = Date.now();
    t.lastEventId += 1;
    const data = JSON.stringify(t.payload());
    for (const s of t.streams) write(s, () => send(s.res, 'update', t.lastEventId, data));
  };

  const beat = () => {
    for (const o of [...owners.values()]) check(o);
    const now = Date.now();
    for (const t of topics.values()) {
      for (const s of t.streams) {
        if (stalled(s)) drop(s);
        else if (now - s.openedAt >= maxAgeMs) end(s);
        else write(s, () => s.res.write(': ping\n\n'));
      }
    }
  };
  const heartbeat = setInterval(beat, heartbeatMs);
  heartbeat.unref();

  const refuse = (res: Response, message: string) => {
    res.status(429).set({ 'Retry-After': retryAfter, 'Cache-Control': 'no-store' }).type('text/plain; charset=utf-8').send(message);
    return false;
  };

  return {
    /** Registers what a topic sends; called once per topic by the route that owns it. */
    define(name: string, payload: () => unknown) {
      const existing = topics.get(name);
      if (existing) existing.payload = payload;
      else topics.set(name, { streams: new Set(), payload, dirty: false, lastSent: 0, lastEventId: 0 });
    },

    /**
     * Keeps the response open as an event stream and sends the current state at once; or, past a
     * cap, answers 429 with a French message and Retry-After, having allocated nothing. Returns
     * whether the stream was opened.
     */
    subscribe(name: string, res: Response, owner: StreamOwner = UNOWNED, initial?: unknown): boolean {
      const t = topics.get(name);
      if (!t) throw new Error(`Sujet SSE inconnu : ${name}`);
      const existing = owners.get(owner.key);
      if ((existing?.streams.size ?? 0) >= maxPerOwner) return refuse(res, fr.live.tooManyForOwner(maxPerOwner));
      if (total >= maxTotal) return refuse(res, fr.live.serverFull);
      const socket = res.socket;
      // Already gone: 'close' has fired and would never fire again for this stream.
      if (!socket || socket.destroyed) return false;

      socket.setKeepAlive(true, keepAliveMs);
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

      const o = existing ?? { key: owner.key, userId: owner.userId, streams: new Set<Stream>() };
      // The newest check wins: it was built from the request just authenticated.
      if (owner.stillValid) o.stillValid = owner.stillValid;
      if (owner.userId) o.userId = owner.userId;
      owners.set(o.key, o);
      const s: Stream = { res, topic: t, owner: o, stalledBeats: 0, openedAt: Date.now() };
      t.streams.add(s);
      o.streams.add(s);
      total++;
      res.on('close', () => forget(s));
      res.on('error', () => drop(s));
      return true;
    },

    /** Something changed: subscribers get the new state within 1/maxPerSecond seconds. */
    notify(name: string) {
      const t = topics.get(name);
      if (!t || t.streams.size === 0) return;
      t.dirty = true;
      if (t.timer) return;
      const wait = Math.max(0, interval - (Date.now() - t.lastSent));
      t.timer = setTimeout(() => flush(t), wait);
    },

    /** Ends every stream opened with this owner key (logout: the session is gone). */
    closeOwner(key: string) {
      const o = owners.get(key);
      if (o) endOwner(o);
    },

    /** Ends every stream of a person, whatever opened it (account disabled, role changed…). */
    closeUser(userId: string) {
      for (const o of [...owners.values()]) if (o.userId === userId) endOwner(o);
    },

    /** Checks the person's owners now rather than at the next heartbeat (a token revoked…). */
    revalidateUser(userId: string) {
      for (const o of [...owners.values()]) if (o.userId === userId) check(o);
    },

    clientCount(name: string): number {
      return topics.get(name)?.streams.size ?? 0;
    },

    /** Open streams and distinct owners, over every topic (what the caps count). */
    stats() {
      return { streams: total, owners: owners.size };
    },

    /** The limits in force (the process cap may be lower than configured, see live/limits.ts). */
    limits() {
      return { maxPerOwner, maxTotal, heartbeatMs, maxAgeMs };
    },

    close() {
      clearInterval(heartbeat);
      for (const t of topics.values()) {
        if (t.timer) clearTimeout(t.timer);
        for (const s of [...t.streams]) {
          forget(s);
          s.res.end();
        }
      }
    },
  };
}

export type SseHub = ReturnType<typeof createSseHub>;

/** What the staff routes need to close streams when an account or session changes. */
export type LiveControl = Pick<SseHub, 'closeOwner' | 'closeUser' | 'revalidateUser'>;
