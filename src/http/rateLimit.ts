import crypto from 'node:crypto';
import ipaddr from 'ipaddr.js';

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

/**
 * The rate-limit key of a request: the client address Express computed (honouring TRUST_PROXY),
 * grouped the way networks are handed out. An IPv4 address stands alone; an IPv6 address counts
 * as its /64, because one home, phone or server gets a whole /64 and can pick any address in it
 * (one limit per address would be no limit). `::ffff:1.2.3.4` is the IPv4 address 1.2.3.4. The
 * key only ever reaches the limiters, which hash it.
 */
export function clientKey(req: { ip?: string; socket?: { remoteAddress?: string } }): string {
  return addressGroup(req.ip ?? req.socket?.remoteAddress ?? '');
}

/** "ipv4:1.2.3.4", "ipv6:2001:db8:0:1::/64", or the raw text when it isn't an address. */
export function addressGroup(address: string): string {
  // A zone index ("fe80::1%eth0") names the interface, not the client.
  const text = address.replace(/%.*$/, '');
  if (!ipaddr.isValid(text)) return text ? `autre:${text}` : 'inconnu';
  let ip = ipaddr.parse(text);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  if (ip.kind() === 'ipv4') return `ipv4:${ip.toString()}`;
  const prefix = (ip as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
  return `ipv6:${prefix.join(':')}::/64`;
}
