import type { Db } from '../db/connection.js';

// What an admin chose to publish on /resultats-publics (migration 019): one row.

export type PublicResultsSettings = { published: boolean; intro: string; questions: string[]; updatedAt: string | null };

export const INTRO_MAX = 600;

export type PublicResultsStore = {
  get(): PublicResultsSettings;
  save(s: { intro: string; questions: string[]; published?: boolean }, now: Date): void;
  setPublished(published: boolean, now: Date): void;
};

export function createPublicResultsStore(db: Db): PublicResultsStore {
  const read = db.prepare('SELECT published, intro, questions, updated_at FROM public_results WHERE id = 1');
  const write = db.prepare('UPDATE public_results SET intro = ?, questions = ?, published = coalesce(?, published), updated_at = ? WHERE id = 1');
  const publish = db.prepare('UPDATE public_results SET published = ?, updated_at = ? WHERE id = 1');
  const stamp = (d: Date) => d.toISOString().slice(0, 19) + 'Z';
  return {
    get() {
      const row = read.get() as { published: number; intro: string; questions: string; updated_at: string | null } | undefined;
      if (!row) return { published: false, intro: '', questions: [], updatedAt: null };
      const parsed: unknown = JSON.parse(row.questions);
      const questions = Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
      return { published: row.published === 1, intro: row.intro, questions, updatedAt: row.updated_at };
    },
    save(s, now) {
      write.run(s.intro, JSON.stringify(s.questions), s.published === undefined ? null : s.published ? 1 : 0, stamp(now));
    },
    setPublished(published, now) {
      publish.run(published ? 1 : 0, stamp(now));
    },
  };
}
