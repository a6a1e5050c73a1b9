import { frenchDateMaybeTime } from '../dates/french.js';
import { fr } from '../strings.js';
import type { Campaign } from './campaign.js';

// The campaign's state as staff read it: « ouverte », « fermée », « pas encore ouverte », with
// its dates in French. Same rule as campaignState (what respondents get), in staff words.

export type CampaignStatus = 'open' | 'closed' | 'not_yet';
export type CampaignWords = { status: CampaignStatus; label: string; sentences: string[] };

const t = fr.staff.campaignState;

export function campaignWords(c: Campaign, now: Date): CampaignWords {
  const date = (d: Date) => frenchDateMaybeTime(d, 'long');
  if (c.opensAt && now < c.opensAt) {
    return { status: 'not_yet', label: t.notYet, sentences: [t.opensOn(date(c.opensAt)), c.closesAt ? t.closesOn(date(c.closesAt)) : t.noEnd] };
  }
  if (c.closesAt && now >= c.closesAt) return { status: 'closed', label: t.closed, sentences: [t.closedOn(date(c.closesAt))] };
  return {
    status: 'open',
    label: t.open,
    sentences: [c.opensAt ? t.openSince(date(c.opensAt)) : t.openNoStart, c.closesAt ? t.closesOn(date(c.closesAt)) : t.noEnd],
  };
}
