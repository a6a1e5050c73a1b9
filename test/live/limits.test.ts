import { describe, expect, it } from 'vitest';
import { openFileLimit, parseOpenFileLimit, streamCapFor } from '../../src/live/limits.js';

describe('process stream cap and the file-descriptor limit', () => {
  it.each([
    // configured, fd limit, cap used, lowered?
    [2500, 20_000, 2500, false], // this machine (ulimit -n 20000): as configured
    [2500, 1_048_576, 2500, false], // Docker's default
    [2500, 4096, 2500, false], // a quarter kept for the rest leaves 3072: enough
    [2500, 1024, 768, true], // old default soft limit: 256 kept for the database, pages, exports
    [2500, 200, 1, true], // absurdly low: still starts
    [2500, undefined, 2500, false], // not Linux: nothing to read
  ])('SSE_MAX_TOTAL=%i with %s open files → %i', (configured, fdLimit, cap, lowered) => {
    expect(streamCapFor(configured, fdLimit)).toEqual({ cap, lowered });
  });

  it('reads the soft limit from /proc/self/limits', () => {
    const text = [
      'Limit                     Soft Limit           Hard Limit           Units',
      'Max processes             63698                63698                processes',
      'Max open files            20000                524288               files',
    ].join('\n');
    expect(parseOpenFileLimit(text)).toBe(20_000);
    expect(parseOpenFileLimit('Max open files            unlimited            unlimited            files')).toBeUndefined();
    // This process (Linux here): a number, the one the kernel enforces.
    expect(openFileLimit()).toBeGreaterThan(0);
  });
});
