import express, { type Request, type Response } from 'express';
import QRCode from 'qrcode';
import { parseParisDate } from '../config.js';
import type { Db } from '../db/connection.js';
import { formatCount } from '../results/dashboardView.js';
import { rebuildCounts } from '../results/counts.js';
import { audit } from '../staff/audit.js';
import { requirePage } from '../staff/auth.js';
import { fr } from '../strings.js';
import type { CampaignSettings } from './settings.js';
import { campaignWords } from './stateWords.js';

// /admin/campagne (admins): the campaign's state in words, its dates and channels, each channel's
// link with a QR code and an A4 poster, closing (after a confirmation page) and deleting.

export type CampaignAdminDeps = { db: Db; campaign: CampaignSettings; now: () => Date };

const t = fr.staff.campaignPage;

/** The address respondents type or scan: this site's origin, as the request reached it. */
export function channelUrl(req: Request, code: string): string {
  return `${req.protocol}://${req.get('host')}/?canal=${encodeURIComponent(code)}`;
}

/** The QR code of a link, as SVG made here (no third-party service sees the address). */
export function qrSvg(url: string): Promise<string> {
  return QRCode.toString(url, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
}

export function campaignAdminRouter(deps: CampaignAdminDeps) {
  const { db } = deps;
  const router = express.Router();

  const statusCounts = () => {
    const counts = db.prepare(`SELECT status, count(*) AS n FROM responses GROUP BY status`).all() as { status: string; n: number }[];
    return { complete: counts.find((x) => x.status === 'complete')?.n ?? 0, drafts: counts.find((x) => x.status === 'draft')?.n ?? 0 };
  };

  const campaignPage = async (req: Request, res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const c = deps.campaign.get();
    const words = campaignWords(c, deps.now());
    const { complete, drafts } = statusCounts();
    const perChannel = new Map(
      (db.prepare(`SELECT channel, count(*) AS n FROM responses WHERE status = 'complete' GROUP BY channel`).all() as { channel: string | null; n: number }[]).map(
        (r) => [r.channel, r.n],
      ),
    );
    const channelRows = await Promise.all(
      c.channels.map(async (ch) => {
        const url = channelUrl(req, ch.code);
        return {
          code: ch.code,
          label: ch.label,
          url,
          shortUrl: url.replace(/^https?:\/\//, ''),
          qr: await qrSvg(url),
          responses: formatCount(perChannel.get(ch.code) ?? 0),
        };
      }),
    );
    res.status(status).render('staff/campaign', {
      pageTitle: fr.staff.campaignTitle,
      styles: ['/static/css/campaign.css'],
      state: words,
      figures: t.figures(formatCount(complete), formatCount(drafts)),
      opensAt: c.opensAt ? toParisInput(c.opensAt) : '',
      closesAt: c.closesAt ? toParisInput(c.closesAt) : '',
      channels: c.channels.map((ch) => `${ch.code};${ch.label}`).join('\n'),
      channelRows,
      isClosed: words.status === 'closed',
      ...extra,
    });
  };
  const page = (fn: (req: Request, res: Response) => Promise<void> | void) => async (req: Request, res: Response, next: express.NextFunction) => {
    try {
      await fn(req, res);
    } catch (e) {
      next(e);
    }
  };

  router.get('/admin/campagne', requirePage('admin'), page((req, res) => campaignPage(req, res)));
  router.post(
    '/admin/campagne',
    requirePage('admin'),
    page(async (req, res) => {
      const body = req.body ?? {};
      const errors: Record<string, string> = {};
      const date = (field: string): Date | undefined | null => {
        const v = typeof body[field] === 'string' ? body[field].trim() : '';
        if (!v) return undefined;
        if (!/^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2})?$/.test(v)) return null;
        const d = parseParisDate(v);
        return Number.isNaN(d.getTime()) ? null : d;
      };
      const opensAt = date('opensAt');
      const closesAt = date('closesAt');
      if (opensAt === null) errors.opensAt = fr.staff.dateInvalid;
      if (closesAt === null) errors.closesAt = fr.staff.dateInvalid;
      if (opensAt && closesAt && opensAt >= closesAt) errors.closesAt = fr.staff.datesOrder;
      const lines = String(typeof body.channels === 'string' ? body.channels : '').split(/\r?\n/);
      const channels: { code: string; label: string }[] = [];
      lines.forEach((line, i) => {
        if (!line.trim()) return;
        const m = /^\s*([a-z0-9]+(?:-[a-z0-9]+)*)\s*;\s*(.{1,120}?)\s*$/.exec(line);
        if (!m || m[1].length > 40 || channels.some((c) => c.code === m[1])) errors.channels ??= fr.staff.channelsInvalid(i + 1);
        else channels.push({ code: m[1], label: m[2] });
      });
      if (Object.keys(errors).length) {
        return campaignPage(req, res, { errors, opensAt: body.opensAt, closesAt: body.closesAt, channels: body.channels }, 422);
      }
      const before = deps.campaign.get();
      deps.campaign.save({ opensAt: opensAt ?? undefined, closesAt: closesAt ?? undefined, channels });
      audit(db, req.staff!.email, 'settings.campaign', {
        ouverture: opensAt?.toISOString() ?? null,
        cloture: closesAt?.toISOString() ?? null,
        canaux: channels.length,
        canauxAvant: before.channels.length,
      }, deps.now());
      await campaignPage(req, res, { notice: fr.staff.saved });
    }),
  );

  // Closing takes two steps: this page says what closing does, and a box must be ticked.
  const confirmPage = (res: Response, extra: Record<string, unknown> = {}, status = 200) => {
    const { complete, drafts } = statusCounts();
    res.status(status).render('staff/campaign-close', {
      pageTitle: t.confirmTitle,
      figures: t.confirmFigures(formatCount(complete), formatCount(drafts)),
      ...extra,
    });
  };
  router.get('/admin/campagne/cloturer', requirePage('admin'), page((req, res) => {
    if (campaignWords(deps.campaign.get(), deps.now()).status === 'closed') return campaignPage(req, res, { notice: t.alreadyClosed });
    confirmPage(res);
  }));
  router.post('/admin/campagne/cloturer', requirePage('admin'), page(async (req, res) => {
    if (req.body?.confirmer !== 'oui') return confirmPage(res, { error: t.confirmMissing }, 422);
    const c = deps.campaign.get();
    const now = deps.now();
    deps.campaign.save({ ...c, opensAt: c.opensAt && c.opensAt < now ? c.opensAt : undefined, closesAt: now });
    audit(db, req.staff!.email, 'campaign.close', undefined, now);
    await campaignPage(req, res, { notice: fr.staff.closed });
  }));

  router.post('/admin/campagne/supprimer-reponses', requirePage('admin'), page(async (req, res) => {
    const c = deps.campaign.get();
    if (!(c.closesAt && c.closesAt <= deps.now())) return campaignPage(req, res, { deleteError: fr.staff.deleteNotClosed }, 422);
    if (req.body?.confirmation !== 'SUPPRIMER') return campaignPage(req, res, { deleteError: fr.staff.deleteConfirmWrong }, 422);
    const deleted = db.transaction(() => {
      const n = (db.prepare('SELECT count(*) AS n FROM responses').get() as { n: number }).n;
      db.prepare('DELETE FROM answers').run();
      db.prepare('DELETE FROM draft_sections').run();
      db.prepare('DELETE FROM responses').run();
      db.prepare('DELETE FROM completed_tokens').run();
      rebuildCounts(db); // nothing left to count
      return n;
    })();
    audit(db, req.staff!.email, 'responses.delete', { reponses: deleted }, deps.now());
    await campaignPage(req, res, { notice: fr.staff.deleted(deleted) });
  }));

  // A printable A4 poster for one channel (a lycée's hall): title, call to action, QR, link.
  router.get('/admin/campagne/affiche/:code', requirePage('admin'), page(async (req, res) => {
    const ch = deps.campaign.get().channels.find((x) => x.code === req.params.code);
    if (!ch) {
      return void res.status(404).render('errors/message', {
        pageTitle: fr.http.notFoundTitle,
        title: fr.http.notFoundTitle,
        message: fr.http.notFound,
        link: { href: '/admin/campagne', label: fr.staff.poster.back },
      });
    }
    const url = channelUrl(req, ch.code);
    res.render('staff/poster', {
      pageTitle: t.posterFor(ch.label),
      styles: ['/static/css/poster.css'],
      channel: ch,
      url,
      shortUrl: url.replace(/^https?:\/\//, ''),
      qr: await qrSvg(url),
    });
  }));

  return router;
}

/** "2023-01-31T18:00" in Paris time, the format the settings form reads back. */
function toParisInput(d: Date): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Paris',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(d)
      .map((x) => [x.type, x.value]),
  );
  const date = `${p.year}-${p.month}-${p.day}`;
  return p.hour === '00' && p.minute === '00' ? date : `${date}T${p.hour}:${p.minute}`;
}
