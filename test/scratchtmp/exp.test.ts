import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { it } from 'vitest';
import { openDatabase } from '../../src/db/connection.js';
import { makeApp, Respondent, validAnswers, completeSurvey } from '../helpers.js';

it('exp', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exp-'));
  const file = path.join(dir, 'a.db');
  const db = openDatabase(file);
  if (process.env.SD) db.pragma('secure_delete = ON');
  const { app } = makeApp({ db });
  const tokens: string[] = [];
  for (let i = 0; i < 5; i++) {
    const r = new Respondent(app);
    await r.post(1, validAnswers[1]);
    await r.post(2, { ...validAnswers[2], ameliorer_territoire: `BROUILLON-EFFACE-${i}` });
    const c = (r.agent as any).jar.getCookie('avenir_brouillon', { path: '/', domain: '127.0.0.1', secure: false, script: false });
    tokens.push(c?.value);
    await r.post(2, validAnswers[2]);
    await r.post(3, validAnswers[3]);
    await r.post(4, validAnswers[4]);
  }
  const ids = db.prepare("SELECT id FROM responses").pluck().all() as string[];
  if (process.env.CK) console.log(db.pragma('wal_checkpoint(TRUNCATE)'));
  const scan = (f: string) => {
    if (!fs.existsSync(f)) return `${f}: absent`;
    const b = fs.readFileSync(f);
    const hits = (n: string) => { let k = 0, at = -1; while ((at = b.indexOf(n, at + 1)) !== -1) k++; return k; };
    return `${path.basename(f)} ${b.length} B: draft text ${[0,1,2,3,4].map(i=>hits(`BROUILLON-EFFACE-${i}`))} json ${hits('"ameliorer_territoire":"')} hash ${tokens.map(t => t ? hits(crypto.createHash('sha256').update(t).digest('hex')) : 'x')}`;
  };
  console.log(scan(file)); console.log(scan(file + '-wal'));
  // cell offsets of responses in the db file
  const b = fs.readFileSync(file);
  console.log(ids.map((id) => [id.slice(0, 8), b.indexOf(id)]));
});
