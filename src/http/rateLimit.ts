import crypto from 'node:crypto';

/**
 * Counts events per key in a sliding window, in memory only. Keys (client addresses, emails) are
 * hashed with a per-process salt: even the process's memory holds no address in clear, and
 * nothing of it ever reaches the database or the logs.
 */
export function createRateLimiter(opts: { windowMs: number; max: number; now?: () => number }) {
  const salt = crypto.randomBytes(16);
  const now = opts.now ?? Date.now;
  const hits = new Map<string, number[]>();
  const keyOf = (k: string) => crypto.createHmac('sha256', salt).update(k).digest('base64url');
  let lastSweep = now();

  const recent = (key: string, t: number) => {
    const list = (hits.get(key) ?? []).filter((x) => t - x < opts.windowMs);
    if (list.length) hits.set(key, list);
    else hits.delete(key);
    return list;
  };
  const sweep = (t: number) => {
    if (t - lastSweep < opts.windowMs) return;
    lastSweep = t;
    for (const k of [...hits.keys()]) recent(k, t);
  };

  return {
    /** Whether another event is allowed now (does not count it). `max` 0 means no limit. */
    allowed(key: string): boolean {
      if (opts.max === 0) return true;
      const t = now();
      sweep(t);
      return recent(keyOf(key), t).length < opts.max;
    },
    hit(key: string) {
      if (opts.max === 0) return;
      const t = now();
      const k = keyOf(key);
      const list = recent(k, t);
      list.push(t);
      hits.set(k, list);
    },
    reset(key: string) {
      hits.delete(keyOf(key));
    },
    /** Milliseconds until the oldest counted event leaves the window. */
    retryAfterMs(key: string): number {
      const list = recent(keyOf(key), now());
      return list.length ? Math.max(0, opts.windowMs - (now() - list[0])) : 0;
    },
  };
}

export type RateLimiter = ReturnType<typeof createRateLimiter>;

/** The client address Express computed (honouring TRUST_PROXY). Used only as a rate-limit key. */
export function clientKey(req: { ip?: string; socket?: { remoteAddress?: string } }): string {
  return req.ip ?? req.socket?.remoteAddress ?? 'inconnu';
}
