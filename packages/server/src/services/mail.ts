import nodemailer, { type Transporter } from 'nodemailer';
import type { Config } from '../config.js';
import { emailsOf } from '../store/notifications.js';
import type { Services } from './context.js';
import type { StoredNotice } from './notifications.js';

// One transport per server (its config), made on the first mail; each mail opens its own connection.
const transports = new WeakMap<Config, Transporter>();

function transportFor(config: Config): Transporter | null {
  if (!config.smtpUrl) return null;
  let transport = transports.get(config);
  if (!transport) {
    // Short timeouts: a dead mail server must not pile up pending sends.
    transport = nodemailer.createTransport({
      url: config.smtpUrl,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    transports.set(config, transport);
  }
  return transport;
}

/** Where a notice points in the web app, when LOCKSTEP_PUBLIC_URL says where that is. */
function linkOf(config: Config, n: StoredNotice): string | null {
  if (!config.publicUrl) return null;
  if (!n.project) return `${config.publicUrl}/dashboard`;
  const search = n.path ? `?q=${encodeURIComponent(n.path)}` : '';
  return `${config.publicUrl}/projects/${encodeURIComponent(n.project)}${search}`;
}

export function mailText(config: Config, n: StoredNotice): { subject: string; text: string } {
  const subject = `Lockstep: ${n.message.length > 150 ? `${n.message.slice(0, 147)}...` : n.message}`;
  const lines = [n.message, ''];
  if (n.project) lines.push(`Project: ${n.project}`);
  if (n.path) lines.push(`File:    ${n.path}`);
  lines.push(`By:      ${n.actor}`, `At:      ${n.at}`);
  const link = linkOf(config, n);
  if (link) lines.push('', `Open: ${link}`);
  lines.push('', '-- ', 'Lockstep PDM. Your notifications are also in the app (the bell).');
  return { subject, text: `${lines.join('\n')}\n` };
}

/** Mails each notice to its user when SMTP is configured and they have an address; logs failures, never throws. */
export async function mailNotices(s: Services, stored: StoredNotice[]): Promise<void> {
  const transport = transportFor(s.config);
  if (!transport || stored.length === 0) return;
  try {
    const addresses = await emailsOf(s.db, [...new Set(stored.map((n) => n.username))]);
    for (const n of stored) {
      const to = addresses.get(n.username);
      if (!to) continue;
      try {
        await transport.sendMail({ from: s.config.smtpFrom, to, ...mailText(s.config, n) });
      } catch (err) {
        s.log.warn({ err: (err as Error).message, to: n.username, id: n.id }, 'notification mail failed');
      }
    }
  } catch (err) {
    s.log.warn({ err: (err as Error).message }, 'notification mail failed');
  }
}
