import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import { exportConnection, responsesCsvChunks, writeResponsesCsv } from '../../src/exports/responses-csv.js';
import { reportProfile } from '../../src/demo/profile.js';
import { syntheticRespondents } from '../../src/results/synthetic.js';
import { territory } from '../../src/territory/communes.js';
import { ensureFlaggedColumn, q } from '../results/helpers.js';
import { bulkInsert, MemorySink } from './helpers.js';

// responses.csv reads a database file through a read-only connection of its own with a small page
// cache, so that an export doesn't fill the application connection's cache (and the server's
// memory) with pages read once.

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'avenir-export-connection-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the export connection', () => {
  it('reads a database file read-only, with a 2 MB cache, and gives the same export', async () => {
    const db = openDatabase(path.join(dir, 'avenir.db'));
    ensureFlaggedColumn(db);
    bulkInsert(db, q, [...syntheticRespondents(q, { count: 50, seed: 3, profile: reportProfile, territory: territory() })], 300);

    const reader = exportConnection(db);
    expect(reader.db).not.toBe(db);
    expect(reader.db.readonly).toBe(true);
    expect(reader.db.pragma('cache_size', { simple: true })).toBe(-2000);
    expect(() => reader.db.exec('DELETE FROM responses')).toThrow(/readonly/);
    reader.close();
    expect(reader.db.open).toBe(false);

    const sink = new MemorySink();
    const finished = new Promise((resolve) => sink.on('finish', resolve));
    await writeResponsesCsv(db, q, sink, { excel: true });
    await finished;
    expect(sink.text).toBe([...responsesCsvChunks(db, q, { excel: true })].join(''));
    expect(sink.text.split('\r\n')).toHaveLength(300 + 2);
    db.close();
  });

  it('uses the connection itself for an in-memory database', () => {
    const db = openDatabase(':memory:');
    const reader = exportConnection(db);
    expect(reader.db).toBe(db);
    reader.close();
    expect(db.open).toBe(true);
  });
});
