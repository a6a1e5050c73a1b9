import crypto from 'node:crypto';
import type { Db } from '../db/connection.js';
import {
  cloudEntries,
  countOptions,
  IDEAS_PER_PARTICIPANT,
  type Activity,
  type ActivityConfig,
  type ActivityState,
  type AnswerValue,
  type CloudEntry,
  type IdeaResult,
  type NewWorkshop,
  type OptionCount,
  type PollConfig,
  type ScaleConfig,
} from './activities.js';
import { newJoinCode } from './code.js';
import { isProfane } from './moderation.js';

export type Workshop = {
  id: string;
  code: string;
  title: string;
  day: string | null;
  place: string;
  ownerId: string | null;
  createdAt: string;
  archived: boolean;
  current: number | null;
  showCount: boolean;
};

export type ActivityResults =
  | { type: 'poll'; answered: number; options: OptionCount[] }
  | { type: 'scale'; answered: number; options: OptionCount[] }
  | { type: 'word_cloud'; answered: number; entries: CloudEntry[] }
  | { type: 'idea_wall'; ideas: IdeaResult[]; themes: { id: string; label: string }[] };

type WorkshopRow = Omit<Workshop, 'archived' | 'showCount'> & { archived: number; showCount: number };
const workshopColumns = `id, code, title, day, place, owner_id AS ownerId, created_at AS createdAt, archived, current, show_count AS showCount`;
const toWorkshop = (r: WorkshopRow | undefined): Workshop | undefined =>
  r && { ...r, archived: r.archived === 1, showCount: r.showCount === 1 };

type ActivityRow = { position: number; type: Activity['type']; prompt: string; config: string; state: ActivityState; revealed: number; premoderation: number };
const toActivity = (r: ActivityRow): Activity => ({
  position: r.position,
  type: r.type,
  prompt: r.prompt,
  config: JSON.parse(r.config) as ActivityConfig,
  state: r.state,
  revealed: r.revealed === 1,
  premoderation: r.premoderation === 1,
});

/**
 * A participant's key in one workshop: the hash of their random cookie and the workshop, so the
 * same phone in two workshops cannot be linked through the database.
 */
export function participantKey(cookie: string, workshopId: string): string {
  return crypto.createHash('sha256').update(`${workshopId}\u0000${cookie}`).digest('base64url');
}

export function createWorkshopStore(db: Db) {
  const activityRows = db.prepare(
    `SELECT position, type, prompt, config, state, revealed, premoderation FROM workshop_activities WHERE workshop_id = ? ORDER BY position`,
  );
  const store = {
    create(w: NewWorkshop, ownerId: string | null, now = new Date()): Workshop {
      const id = crypto.randomUUID();
      return db.transaction(() => {
        let code = newJoinCode();
        // 23^6 codes: a clash is rare, and retried.
        while (db.prepare('SELECT 1 FROM workshops WHERE code = ?').get(code)) code = newJoinCode();
        db.prepare(`INSERT INTO workshops (id, code, title, day, place, owner_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`).run(
          id,
          code,
          w.title,
          w.day ?? null,
          w.place,
          ownerId,
          now.toISOString(),
        );
        const insert = db.prepare(
          `INSERT INTO workshop_activities (workshop_id, position, type, prompt, config, revealed, premoderation) VALUES (?, ?, ?, ?, ?, ?, ?)`,
        );
        w.activities.forEach((a, i) => insert.run(id, i, a.type, a.prompt, JSON.stringify(a.config), a.revealed ? 1 : 0, a.premoderation ? 1 : 0));
        return store.byId(id)!;
      })();
    },

    byId(id: string): Workshop | undefined {
      return toWorkshop(db.prepare(`SELECT ${workshopColumns} FROM workshops WHERE id = ?`).get(id) as WorkshopRow | undefined);
    },
    /** A workshop participants can join: its code, not archived. */
    byCode(code: string): Workshop | undefined {
      return toWorkshop(db.prepare(`SELECT ${workshopColumns} FROM workshops WHERE code = ? AND archived = 0`).get(code) as WorkshopRow | undefined);
    },
    list(opts: { archived: boolean }): (Workshop & { activities: number; participants: number })[] {
      const rows = db
        .prepare(
          `SELECT ${workshopColumns},
             (SELECT count(*) FROM workshop_activities a WHERE a.workshop_id = w.id) AS activities,
             (SELECT count(*) FROM workshop_participants p WHERE p.workshop_id = w.id) AS participants
           FROM workshops w WHERE archived = ? ORDER BY coalesce(day, substr(created_at, 1, 10)) DESC, title`,
        )
        .all(opts.archived ? 1 : 0) as (WorkshopRow & { activities: number; participants: number })[];
      return rows.map((r) => ({ ...toWorkshop(r)!, activities: r.activities, participants: r.participants }));
    },
    activities(workshopId: string): Activity[] {
      return (activityRows.all(workshopId) as ActivityRow[]).map(toActivity);
    },
    activity(workshopId: string, position: number): Activity | undefined {
      const r = db
        .prepare(`SELECT position, type, prompt, config, state, revealed, premoderation FROM workshop_activities WHERE workshop_id = ? AND position = ?`)
        .get(workshopId, position) as ActivityRow | undefined;
      return r && toActivity(r);
    },

    /** Puts an activity on screen and opens it, closing the one before; null = the welcome screen. */
    setCurrent(workshopId: string, position: number | null) {
      db.transaction(() => {
        db.prepare(`UPDATE workshop_activities SET state = 'closed' WHERE workshop_id = ? AND state = 'open'`).run(workshopId);
        if (position !== null) db.prepare(`UPDATE workshop_activities SET state = 'open' WHERE workshop_id = ? AND position = ?`).run(workshopId, position);
        db.prepare(`UPDATE workshops SET current = ? WHERE id = ?`).run(position, workshopId);
      })();
    },
    setState(workshopId: string, position: number, state: ActivityState) {
      db.transaction(() => {
        // One open activity at a time: opening one closes the other.
        if (state === 'open') db.prepare(`UPDATE workshop_activities SET state = 'closed' WHERE workshop_id = ? AND state = 'open'`).run(workshopId);
        db.prepare(`UPDATE workshop_activities SET state = ? WHERE workshop_id = ? AND position = ?`).run(state, workshopId, position);
      })();
    },
    setRevealed(workshopId: string, position: number, revealed: boolean) {
      db.prepare(`UPDATE workshop_activities SET revealed = ? WHERE workshop_id = ? AND position = ?`).run(revealed ? 1 : 0, workshopId, position);
    },
    setPremoderation(workshopId: string, position: number, on: boolean) {
      db.prepare(`UPDATE workshop_activities SET premoderation = ? WHERE workshop_id = ? AND position = ? AND type = 'idea_wall'`).run(on ? 1 : 0, workshopId, position);
    },
    setShowCount(workshopId: string, on: boolean) {
      db.prepare(`UPDATE workshops SET show_count = ? WHERE id = ?`).run(on ? 1 : 0, workshopId);
    },
    setArchived(workshopId: string, archived: boolean) {
      db.prepare(`UPDATE workshops SET archived = ? WHERE id = ?`).run(archived ? 1 : 0, workshopId);
    },
    delete(workshopId: string) {
      db.transaction(() => {
        // Votes hang on ideas, which the cascade from activities removes.
        db.prepare(`DELETE FROM workshop_votes WHERE idea_id IN (SELECT id FROM workshop_ideas WHERE workshop_id = ?)`).run(workshopId);
        db.prepare(`DELETE FROM workshops WHERE id = ?`).run(workshopId);
      })();
    },
    /** The same sequence for another room: activities copied, nothing of the answers, a new code. */
    duplicate(workshopId: string, ownerId: string | null, titleSuffix: string, now = new Date()): Workshop | undefined {
      const w = store.byId(workshopId);
      if (!w) return undefined;
      return store.create(
        {
          title: `${w.title}${titleSuffix}`.slice(0, 120),
          place: w.place,
          activities: store.activities(workshopId).map((a) => ({ type: a.type, prompt: a.prompt, config: a.config, revealed: a.revealed, premoderation: a.premoderation })),
        },
        ownerId,
        now,
      );
    },

    // Participants
    join(workshopId: string, participant: string) {
      db.prepare(`INSERT OR IGNORE INTO workshop_participants (workshop_id, participant) VALUES (?, ?)`).run(workshopId, participant);
    },
    participants(workshopId: string): number {
      return (db.prepare(`SELECT count(*) AS n FROM workshop_participants WHERE workshop_id = ?`).get(workshopId) as { n: number }).n;
    },
    /** One answer per participant and activity; sending again replaces it. */
    saveAnswer(workshopId: string, position: number, participant: string, value: AnswerValue) {
      db.transaction(() => {
        store.join(workshopId, participant);
        db.prepare(
          `INSERT INTO workshop_answers (workshop_id, position, participant, value) VALUES (?, ?, ?, ?)
           ON CONFLICT (workshop_id, position, participant) DO UPDATE SET value = excluded.value`,
        ).run(workshopId, position, participant, JSON.stringify(value));
      })();
    },
    answerOf(workshopId: string, position: number, participant: string): AnswerValue | undefined {
      const r = db.prepare(`SELECT value FROM workshop_answers WHERE workshop_id = ? AND position = ? AND participant = ?`).get(workshopId, position, participant) as
        | { value: string }
        | undefined;
      return r && (JSON.parse(r.value) as AnswerValue);
    },
    answers(workshopId: string, position: number): AnswerValue[] {
      return (db.prepare(`SELECT value FROM workshop_answers WHERE workshop_id = ? AND position = ?`).all(workshopId, position) as { value: string }[]).map(
        (r) => JSON.parse(r.value) as AnswerValue,
      );
    },

    // Word cloud moderation: a group hidden by its normalised key.
    setEntryHidden(workshopId: string, position: number, key: string, hidden: boolean) {
      if (hidden) db.prepare(`INSERT OR IGNORE INTO workshop_hidden_entries (workshop_id, position, entry_key) VALUES (?, ?, ?)`).run(workshopId, position, key);
      else db.prepare(`DELETE FROM workshop_hidden_entries WHERE workshop_id = ? AND position = ? AND entry_key = ?`).run(workshopId, position, key);
    },
    hiddenKeys(workshopId: string, position: number): Set<string> {
      return new Set(
        (db.prepare(`SELECT entry_key AS k FROM workshop_hidden_entries WHERE workshop_id = ? AND position = ?`).all(workshopId, position) as { k: string }[]).map((r) => r.k),
      );
    },

    // Idea wall
    /** Posts a proposal: held back (pending) under pre-moderation or when a word is on the profanity list. */
    addIdea(workshopId: string, a: Activity, participant: string, text: string): { ok: true; id: string; status: IdeaResult['status'] } | { ok: false; reason: 'limit' } {
      return db.transaction(() => {
        const mine = (db.prepare(`SELECT count(*) AS n FROM workshop_ideas WHERE workshop_id = ? AND position = ? AND participant = ?`).get(workshopId, a.position, participant) as { n: number }).n;
        if (mine >= IDEAS_PER_PARTICIPANT) return { ok: false as const, reason: 'limit' as const };
        store.join(workshopId, participant);
        const id = crypto.randomUUID();
        const status = a.premoderation || isProfane(text) ? 'pending' : 'visible';
        db.prepare(`INSERT INTO workshop_ideas (id, workshop_id, position, participant, text, status) VALUES (?, ?, ?, ?, ?, ?)`).run(id, workshopId, a.position, participant, text, status);
        return { ok: true as const, id, status: status as IdeaResult['status'] };
      })();
    },
    /** One vote per participant and proposal: voting again takes the vote back. Only visible proposals. */
    toggleVote(workshopId: string, position: number, ideaId: string, participant: string): boolean {
      return db.transaction(() => {
        const idea = db.prepare(`SELECT 1 FROM workshop_ideas WHERE id = ? AND workshop_id = ? AND position = ? AND status = 'visible'`).get(ideaId, workshopId, position);
        if (!idea) return false;
        store.join(workshopId, participant);
        const removed = db.prepare(`DELETE FROM workshop_votes WHERE idea_id = ? AND participant = ?`).run(ideaId, participant).changes;
        if (!removed) db.prepare(`INSERT INTO workshop_votes (idea_id, participant) VALUES (?, ?)`).run(ideaId, participant);
        return true;
      })();
    },
    votedBy(workshopId: string, position: number, participant: string): Set<string> {
      return new Set(
        (
          db
            .prepare(`SELECT v.idea_id AS id FROM workshop_votes v JOIN workshop_ideas i ON i.id = v.idea_id WHERE i.workshop_id = ? AND i.position = ? AND v.participant = ?`)
            .all(workshopId, position, participant) as { id: string }[]
        ).map((r) => r.id),
      );
    },
    setIdeaStatus(workshopId: string, ideaId: string, status: IdeaResult['status']): boolean {
      return db.prepare(`UPDATE workshop_ideas SET status = ? WHERE id = ? AND workshop_id = ?`).run(status, ideaId, workshopId).changes === 1;
    },
    setIdeaTheme(workshopId: string, ideaId: string, themeId: string | null): boolean {
      if (themeId && !db.prepare(`SELECT 1 FROM workshop_themes t JOIN workshop_ideas i ON i.workshop_id = t.workshop_id AND i.position = t.position WHERE t.id = ? AND i.id = ?`).get(themeId, ideaId)) {
        return false;
      }
      return db.prepare(`UPDATE workshop_ideas SET theme_id = ? WHERE id = ? AND workshop_id = ?`).run(themeId, ideaId, workshopId).changes === 1;
    },
    addTheme(workshopId: string, position: number, label: string): string {
      const id = crypto.randomUUID();
      const sort = (db.prepare(`SELECT coalesce(max(sort), 0) + 1 AS s FROM workshop_themes WHERE workshop_id = ? AND position = ?`).get(workshopId, position) as { s: number }).s;
      db.prepare(`INSERT INTO workshop_themes (id, workshop_id, position, label, sort) VALUES (?, ?, ?, ?, ?)`).run(id, workshopId, position, label, sort);
      return id;
    },
    renameTheme(workshopId: string, themeId: string, label: string): boolean {
      return db.prepare(`UPDATE workshop_themes SET label = ? WHERE id = ? AND workshop_id = ?`).run(label, themeId, workshopId).changes === 1;
    },
    deleteTheme(workshopId: string, themeId: string): boolean {
      return db.prepare(`DELETE FROM workshop_themes WHERE id = ? AND workshop_id = ?`).run(themeId, workshopId).changes === 1;
    },
    themes(workshopId: string, position: number): { id: string; label: string }[] {
      return db.prepare(`SELECT id, label FROM workshop_themes WHERE workshop_id = ? AND position = ? ORDER BY sort, label`).all(workshopId, position) as { id: string; label: string }[];
    },
    ideas(workshopId: string, position: number): IdeaResult[] {
      const rows = db
        .prepare(
          `SELECT i.id, i.text, i.theme_id AS themeId, t.label AS theme, i.status,
             (SELECT count(*) FROM workshop_votes v WHERE v.idea_id = i.id) AS votes
           FROM workshop_ideas i LEFT JOIN workshop_themes t ON t.id = i.theme_id
           WHERE i.workshop_id = ? AND i.position = ?`,
        )
        .all(workshopId, position) as Omit<IdeaResult, 'flagged'>[];
      // Most supported first; the text breaks ties, never the order of arrival.
      return rows.map((r) => ({ ...r, flagged: isProfane(r.text) })).sort((a, b) => b.votes - a.votes || a.text.localeCompare(b.text, 'fr'));
    },

    /** Everything an activity produced (moderation marks included; screens filter them out). */
    results(workshopId: string, a: Activity): ActivityResults {
      if (a.type === 'poll' || a.type === 'scale') {
        const answers = store.answers(workshopId, a.position).filter((v): v is { codes: string[] } => 'codes' in v);
        return { type: a.type, ...countOptions((a.config as PollConfig | ScaleConfig).options, answers) } as ActivityResults;
      }
      if (a.type === 'word_cloud') {
        const answers = store.answers(workshopId, a.position).filter((v): v is { entries: string[] } => 'entries' in v);
        return { type: 'word_cloud', ...cloudEntries(answers, store.hiddenKeys(workshopId, a.position)) };
      }
      return { type: 'idea_wall', ideas: store.ideas(workshopId, a.position), themes: store.themes(workshopId, a.position) };
    },
  };
  return store;
}

export type WorkshopStore = ReturnType<typeof createWorkshopStore>;
