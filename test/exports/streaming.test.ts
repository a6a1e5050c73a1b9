import { describe, expect, it } from 'vitest';
import { writeResponsesCsv } from '../../src/exports/responses-csv.js';
import { rebuildCounts } from '../../src/results/counts.js';
import { reportProfile } from '../../src/demo/profile.js';
import { syntheticRespondents } from '../../src/results/synthetic.js';
import { territory } from '../../src/territory/communes.js';
import { freshDb, q } from '../results/helpers.js';
import { bulkInsert, CountingSink, gc } from './helpers.js';

// responses.csv is streamed: memory must not grow with the number of responses. The same export
// runs on 10,000 then 100,000 responses into a slow client (a Writable with a small buffer); the
// live heap and the process size, sampled after a garbage collection every few chunks, must grow
// little and about as little for both.

async function exportMeasured(db: ReturnType<typeof freshDb>) {
  const sink = new CountingSink();
  const finished = new Promise((resolve) => sink.on('finish', resolve));
  gc();
  const before = process.memoryUsage();
  sink.peakHeap = before.heapUsed;
  sink.peakRss = before.rss;
  const t0 = performance.now();
  await writeResponsesCsv(db, q, sink);
  await finished;
  sink.sample();
  return {
    ms: performance.now() - t0,
    lines: sink.lines,
    bytes: sink.bytes,
    heapGrowth: sink.peakHeap - before.heapUsed,
    rssGrowth: sink.peakRss - before.rss,
  };
}

describe('streamed responses.csv', () => {
  it('keeps memory flat from 10,000 to 100,000 responses', { timeout: 120_000 }, async () => {
    const pool = [...syntheticRespondents(q, { count: 2000, seed: 11, profile: reportProfile, territory: territory() })];
    const db = freshDb();
    bulkInsert(db, q, pool, 10_000);
    rebuildCounts(db);
    const small = await exportMeasured(db);
    bulkInsert(db, q, pool, 90_000, 10_000);
    const large = await exportMeasured(db);

    const MB = 1024 * 1024;
    const report = (m: typeof small) =>
      `${m.lines - 1} lignes, ${(m.bytes / MB).toFixed(0)} Mo en ${(m.ms / 1000).toFixed(1)} s, tas +${(m.heapGrowth / MB).toFixed(1)} Mo, rss +${(m.rssGrowth / MB).toFixed(1)} Mo`;
    console.log(`10 000 : ${report(small)}\n100 000 : ${report(large)}`);

    expect(small.lines).toBe(10_001);
    expect(large.lines).toBe(100_001);
    expect(large.bytes).toBeGreaterThan(9 * small.bytes);
    expect(large.heapGrowth).toBeLessThan(50 * MB);
    expect(large.rssGrowth).toBeLessThan(50 * MB);
    // Ten times the data, not ten times the memory.
    expect(large.heapGrowth).toBeLessThan(small.heapGrowth + 10 * MB);
    expect(large.rssGrowth).toBeLessThan(small.rssGrowth + 25 * MB);
  });
});
