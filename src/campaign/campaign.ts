import { z } from 'zod';
import { fr, frenchDate } from '../strings.js';

// The campaign: when the questionnaire is open and which relays distribute it. Each relay gets a
// link "/?canal=<code>"; only declared codes are recorded, anything else is ignored.

const channelSchema = z
  .object({
    code: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'code de canal en minuscules ASCII avec tirets').max(40),
    label: z.string().min(1),
  })
  .strict();

export const campaignSchema = z
  .object({
    opensAt: z.date().optional(),
    closesAt: z.date().optional(),
    channels: z.array(channelSchema),
  })
  .strict()
  .superRefine((c, ctx) => {
    const codes = c.channels.map((x) => x.code);
    const dup = codes.find((x, i) => codes.indexOf(x) !== i);
    if (dup) ctx.addIssue({ code: 'custom', path: ['channels'], message: `canal « ${dup} » en double` });
    if (c.opensAt && c.closesAt && c.opensAt >= c.closesAt) {
      ctx.addIssue({ code: 'custom', path: ['closesAt'], message: 'la clôture doit suivre l’ouverture' });
    }
  });

export type Campaign = z.infer<typeof campaignSchema>;
export type CampaignState = { open: true } | { open: false; reason: 'not_yet' | 'ended'; title: string; message: string };

/** The relays of the 2022-2023 consultation, as an example of declared channels. */
export const defaultChannels: Campaign['channels'] = [
  { code: 'lycee-carnot', label: 'Lycée Carnot, Bruay-La-Buissière' },
  { code: 'lycee-jean-bertin', label: 'Lycée Jean Bertin, Bruay-La-Buissière' },
  { code: 'lycee-henri-senez', label: 'Lycée Henri Senez, Hénin-Beaumont' },
  { code: 'lycee-condorcet', label: 'Lycée Condorcet, Lens' },
  { code: 'universite-artois', label: 'Université d’Artois' },
  { code: 'iut-lens', label: 'IUT de Lens' },
  { code: 'mission-locale-artois', label: 'Mission locale de l’Artois' },
  { code: 'mission-locale-lens-lievin', label: 'Mission locale de Lens-Liévin' },
  { code: 'plie', label: 'PLIE' },
  { code: 'france-travail', label: 'France Travail' },
  { code: 'education-populaire', label: 'Structures d’éducation populaire' },
  { code: 'stand-gare-lens', label: 'Stand, parvis de la gare de Lens' },
  { code: 'reseaux-sociaux', label: 'Réseaux sociaux' },
];

export function buildCampaign(input: { opensAt?: Date; closesAt?: Date; channels?: Campaign['channels'] }): Campaign {
  return campaignSchema.parse({ channels: defaultChannels, ...input });
}

export function campaignState(c: Campaign, now: Date): CampaignState {
  if (c.opensAt && now < c.opensAt) {
    return {
      open: false,
      reason: 'not_yet',
      title: fr.closed.notYetTitle,
      message: fr.closed.notYet(frenchDate(c.opensAt)),
    };
  }
  if (c.closesAt && now >= c.closesAt) {
    return {
      open: false,
      reason: 'ended',
      title: fr.closed.endedTitle,
      message: fr.closed.ended(frenchDate(c.closesAt)),
    };
  }
  return { open: true };
}

export function findChannel(c: Campaign, code: unknown): string | undefined {
  if (typeof code !== 'string') return undefined;
  return c.channels.find((ch) => ch.code === code)?.code;
}
