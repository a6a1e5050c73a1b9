import crypto from 'node:crypto';

/**
 * Each section form carries the time it was shown, signed so it can't be forged. On submit we
 * compute how long the page took: a section answered in under a couple of seconds was not read by
 * a person. Only the resulting flag is stored, never the time itself.
 */
export function createFormTiming(secret: string | undefined) {
  // A KeyObject spares re-importing the key on each of a classroom's submissions.
  const key = crypto.createSecretKey(Buffer.from(secret ?? crypto.randomBytes(32).toString('hex')));
  const sign = (ms: string) => crypto.createHmac('sha256', key).update(ms).digest('base64url').slice(0, 22);
  return {
    stamp(now: Date): string {
      const ms = String(now.getTime());
      return `${ms}.${sign(ms)}`;
    },
    /** Seconds since the page was shown; 'missing' when absent or malformed; 'forged' when the
     *  signature doesn't match (a made-up stamp, or a page shown before a restart with a random
     *  secret). Both flag the response like a too-fast one: only a page we served is trusted. */
    elapsed(value: unknown, now: Date): number | 'missing' | 'forged' {
      if (typeof value !== 'string' || !/^\d{10,16}\.[A-Za-z0-9_-]{22}$/.test(value)) return 'missing';
      const [ms, sig] = value.split('.');
      const expected = sign(ms);
      if (!crypto.timingSafeEqual(Buffer.from(sig), Buffer.from(expected))) return 'forged';
      return (now.getTime() - Number(ms)) / 1000;
    },
  };
}

export type FormTiming = ReturnType<typeof createFormTiming>;
