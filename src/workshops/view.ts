import Handlebars from 'handlebars';
import QRCode from 'qrcode';
import { fr } from '../strings.js';
import type { Activity } from './activities.js';
import { screenResults } from './live.js';
import type { ActivityResults } from './store.js';

// View models of workshop results, shared by the projector, the control page and the results page.

const pct = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 0, maximumFractionDigits: 0 });
const pct1 = new Intl.NumberFormat('fr-FR', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const int = new Intl.NumberFormat('fr-FR');

/** An SVG QR code of a URL, made on the server (no script, no external service). */
export async function qrSvg(url: string): Promise<Handlebars.SafeString> {
  // Markup we made from our own URL, written as is (SafeString), never text someone typed.
  return new Handlebars.SafeString(await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 1, color: { dark: '#000000', light: '#ffffff' } }));
}

/**
 * The results of one activity as a screen shows them: bars with counts and rounded percentages,
 * the cloud's entries sized by count (with their list as text), the wall by theme then votes.
 * `forScreen` drops what moderation holds back; the control page sees it, marked.
 */
export function resultsView(a: Activity, results: ActivityResults, opts: { forScreen: boolean; precise?: boolean; moderateAction?: string }) {
  const r = opts.forScreen ? screenResults(results) : results;
  // Moderation buttons on each item (control page only).
  const mod = opts.moderateAction ? { action: opts.moderateAction, position: a.position } : undefined;
  const format = opts.precise ? pct1 : pct;
  if (r.type === 'poll' || r.type === 'scale') {
    const max = Math.max(1, ...r.options.map((o) => o.count));
    return {
      bars: true,
      answered: r.answered,
      answeredLabel: fr.workshops.screen.answered(r.answered),
      options: r.options.map((o) => ({
        code: o.code,
        label: o.label,
        count: int.format(o.count),
        percent: o.percent === null ? '–' : `${format.format(o.percent)} %`,
        // Bar length relative to the largest answer: the room reads the ranking at a glance.
        width: Math.round((100 * o.count) / max),
      })),
    };
  }
  if (r.type === 'word_cloud') {
    const max = Math.max(1, ...r.entries.map((e) => e.count));
    return {
      cloud: true,
      answered: r.answered,
      answeredLabel: fr.workshops.screen.answered(r.answered),
      entries: r.entries.map((e, i) => ({
        key: e.key,
        text: e.text,
        count: e.count,
        countLabel: int.format(e.count),
        variants: e.variants.map((v) => `${v.text} (${int.format(v.count)})`).join(', '),
        // Five sizes: readable from the back of a room without a script.
        size: 1 + Math.round((4 * (e.count - 1)) / Math.max(1, max - 1)),
        hidden: e.hidden,
        flagged: e.flagged,
        rank: i + 1,
        mod,
      })),
      top: r.entries.slice(0, 15),
      json: JSON.stringify(r.entries.slice(0, 80).map((e) => [e.text, e.count])),
    };
  }
  const themes = new Map<string, { id: string | null; label: string; ideas: typeof r.ideas }>();
  for (const t of r.themes) themes.set(t.id, { id: t.id, label: t.label, ideas: [] });
  const loose: typeof r.ideas = [];
  for (const i of r.ideas) (i.themeId && themes.has(i.themeId) ? themes.get(i.themeId)!.ideas : loose).push(i);
  const groups = [...themes.values()].filter((g) => g.ideas.length || !opts.forScreen);
  if (loose.length) groups.push({ id: null, label: fr.workshops.screen.noTheme, ideas: loose });
  return {
    wall: true,
    count: r.ideas.length,
    countLabel: fr.workshops.screen.ideas(r.ideas.length),
    themes: r.themes,
    groups: groups.map((g) => ({
      id: g.id,
      label: g.label,
      ideas: g.ideas.map((i) => ({
        ...i,
        votesLabel: fr.workshops.screen.votes(i.votes),
        pending: i.status === 'pending',
        hidden: i.status === 'hidden',
        themes: r.themes.map((t) => ({ ...t, selected: t.id === i.themeId })),
        mod,
      })),
    })),
  };
}
