import type { Response } from 'express';
import type { SseHub, StreamOwner } from '../live/hub.js';
import { screen } from '../privacy/screening.js';
import { shownEntries, type Activity } from './activities.js';
import type { ActivityResults, Workshop, WorkshopStore } from './store.js';

/** The topic participants' pages follow: which activity is on, whether it is open. */
export const participantTopic = (workshopId: string) => `atelier:${workshopId}`;
/** The topic the projector and the control page follow: the results on screen. */
export const screenTopic = (workshopId: string) => `atelier:${workshopId}:ecran`;

/** What a room's screen may show of an activity's results: nothing hidden, profane or pending. */
export function screenResults(results: ActivityResults): ActivityResults {
  // Personal data (a phone number, a name…) is masked in whatever a room's screen shows.
  if (results.type === 'word_cloud') return { ...results, entries: shownEntries(results.entries).map((e) => ({ ...e, text: screen(e.text).text })) };
  if (results.type === 'idea_wall') return { ...results, ideas: results.ideas.filter((i) => i.status === 'visible' && !i.flagged).map((i) => ({ ...i, text: screen(i.text).text })) };
  return results;
}

/**
 * Live updates of workshops through the shared SSE hub. Two topics per workshop: participants
 * follow which activity is on (their page reloads on a switch), the projector and the control
 * page follow the results. Topics are defined when first used.
 */
export function workshopLive(store: WorkshopStore, hub: SseHub) {
  const defined = new Set<string>();
  const ensure = (id: string) => {
    if (defined.has(id)) return;
    defined.add(id);
    hub.define(participantTopic(id), () => {
      const w = store.byId(id);
      const a = w?.current === null || !w ? undefined : store.activity(id, w.current);
      return { current: w?.current ?? null, state: a?.state ?? null, revealed: a?.revealed ?? null };
    });
    // The screen refetches its HTML on each update: the payload only says something changed.
    hub.define(screenTopic(id), () => {
      const w = store.byId(id);
      return { current: w?.current ?? null, participants: w ? store.participants(id) : 0 };
    });
  };
  return {
    /** `owner`: who the stream counts against (hub caps, closing with a staff session). */
    subscribeParticipant(w: Workshop, res: Response, owner: StreamOwner) {
      ensure(w.id);
      hub.subscribe(participantTopic(w.id), res, owner);
    },
    subscribeScreen(w: Workshop, res: Response, owner: StreamOwner) {
      ensure(w.id);
      hub.subscribe(screenTopic(w.id), res, owner);
    },
    /** The facilitator switched, opened, closed, revealed or moderated. */
    changed(w: Workshop) {
      ensure(w.id);
      hub.notify(participantTopic(w.id));
      hub.notify(screenTopic(w.id));
    },
    /** A participant answered. */
    answered(w: Workshop) {
      ensure(w.id);
      hub.notify(screenTopic(w.id));
    },
  };
}

export type WorkshopLive = ReturnType<typeof workshopLive>;
export type { Activity };
