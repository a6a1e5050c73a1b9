import type { Db } from '../db/connection.js';
import { buildCampaign, type Campaign } from './campaign.js';

// The campaign as admins set it on the admin page, stored in `settings`. Until an admin saves,
// the values come from the environment (CAMPAIGN_OPENS_AT/CLOSES_AT) and the default channels.

const KEY = 'campaign';
type Stored = { opensAt: string | null; closesAt: string | null; channels: Campaign['channels'] };

export function createCampaignSettings(db: Db, defaults: Campaign) {
  let cached: Campaign | undefined;
  const read = (): Campaign => {
    const row = db.prepare('SELECT value FROM settings WHERE key = ?').get(KEY) as { value: string } | undefined;
    if (!row) return defaults;
    const s = JSON.parse(row.value) as Stored;
    return buildCampaign({
      opensAt: s.opensAt ? new Date(s.opensAt) : undefined,
      closesAt: s.closesAt ? new Date(s.closesAt) : undefined,
      channels: s.channels,
    });
  };
  return {
    get(): Campaign {
      cached ??= read();
      return cached;
    },
    save(c: Campaign) {
      const valid = buildCampaign(c);
      const stored: Stored = {
        opensAt: valid.opensAt?.toISOString() ?? null,
        closesAt: valid.closesAt?.toISOString() ?? null,
        channels: valid.channels,
      };
      db.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
        KEY,
        JSON.stringify(stored),
      );
      cached = valid;
    },
  };
}

export type CampaignSettings = ReturnType<typeof createCampaignSettings>;
