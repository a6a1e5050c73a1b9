import fs from 'node:fs';

/**
 * The process's open-file limit (soft; Node raises it to the hard limit at start), from
 * /proc/self/limits; undefined where that file doesn't exist (not Linux) or says "unlimited".
 */
export function openFileLimit(): number | undefined {
  try {
    return parseOpenFileLimit(fs.readFileSync('/proc/self/limits', 'utf8'));
  } catch {
    return undefined;
  }
}

export function parseOpenFileLimit(limitsText: string): number | undefined {
  const m = /^Max open files\s+(\d+)/m.exec(limitsText);
  return m ? Number(m[1]) : undefined;
}

/**
 * The process-wide stream cap actually used: the configured one, lowered if it would not leave a
 * quarter of the file descriptors (256 at least) to everything else: the database and its WAL,
 * ordinary requests, exports, the listening socket. Each stream holds one socket, one descriptor.
 */
export function streamCapFor(configured: number, fdLimit: number | undefined): { cap: number; lowered: boolean } {
  if (fdLimit === undefined) return { cap: configured, lowered: false };
  const room = Math.max(1, fdLimit - Math.max(256, Math.floor(fdLimit / 4)));
  return configured > room ? { cap: room, lowered: true } : { cap: configured, lowered: false };
}
