import v8 from 'node:v8';
import vm from 'node:vm';
import type Database from 'better-sqlite3';
import type { Questionnaire } from '../../src/questionnaire/schema.js';
import type { SyntheticRespondent } from '../../src/results/synthetic.js';
import { Writable } from 'node:stream';

/** A Writable that keeps what it receives, asynchronously and with a small buffer (backpressure). */
export class MemorySink extends Writable {
  chunks: string[] = [];
  writes = 0;
  constructor(highWaterMark = 16 * 1024) {
    super({ highWaterMark, decodeStrings: false });
  }
  _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (e?: Error | null) => void) {
    this.writes++;
    this.chunks.push(typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
    setImmediate(cb);
  }
  get text(): string {
    return this.chunks.join('');
  }
}

/**
 * A full garbage collection, to measure what is really retained (exposed at run time: vitest
 * workers are not started with --expose-gc).
 */
export const gc: () => void = (() => {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
})();

/**
 * Counts bytes and lines without keeping anything, asynchronously with a small buffer: what a slow
 * client looks like to the server. Every `sampleEvery` writes it collects garbage and records the
 * live heap and the process size, so the peaks measure what the export retains.
 */
export class CountingSink extends Writable {
  bytes = 0;
  lines = 0;
  writes = 0;
  peakHeap = 0;
  peakRss = 0;
  constructor(
    highWaterMark = 64 * 1024,
    private readonly sampleEvery = 10,
  ) {
    super({ highWaterMark, decodeStrings: false });
  }
  sample() {
    gc();
    const m = process.memoryUsage();
    this.peakHeap = Math.max(this.peakHeap, m.heapUsed);
    this.peakRss = Math.max(this.peakRss, m.rss);
  }
  _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (e?: Error | null) => void) {
    const s = typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    this.bytes += Buffer.byteLength(s);
    for (let i = s.indexOf('\n'); i !== -1; i = s.indexOf('\n', i + 1)) this.lines++;
    if (++this.writes % this.sampleEvery === 0) this.sample();
    setImmediate(cb);
  }
}

/**
 * Fills a database quickly with `count` completed responses by cycling through a pool of
 * synthetic respondents (prepared statements, one transaction, ids inserted in key order).
 */
export function bulkInsert(db: Database.Database, q: Questionnaire, pool: SyntheticRespondent[], count: number, start = 0): void {
  const insertResponse = db.prepare(
    `INSERT INTO responses (id, questionnaire_id, questionnaire_version, channel, status, reached_section, started_hour, updated_hour, completed_hour)
     VALUES (?, ?, ?, ?, 'complete', 4, ?, ?, ?)`,
  );
  const insertAnswer = db.prepare('INSERT INTO answers (response_id, question_id, option_code, value_text, value_num) VALUES (?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (let i = start; i < start + count; i++) {
      const p = pool[i % pool.length];
      const id = `r${String(i).padStart(9, '0')}`;
      insertResponse.run(id, q.id, q.version, p.channel, p.startedHour, p.completedHour, p.completedHour);
      for (const r of p.rows) insertAnswer.run(id, r.questionId, r.optionCode, r.valueText, r.valueNum);
    }
  })();
}
