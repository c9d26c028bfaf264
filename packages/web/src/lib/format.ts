const timeFmt = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit' });
const dateTimeFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
const fullFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** "14:32" today, "Nov 24, 14:32" otherwise. */
export function shortTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toDateString() === new Date().toDateString() ? timeFmt.format(d) : dateTimeFmt.format(d);
}

export function fullTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : fullFmt.format(d);
}

export function relativeTime(iso: string, now = Date.now()): string {
  const s = Math.round((now - new Date(iso).getTime()) / 1000);
  if (s < 45) return 'just now';
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86400) return `${Math.round(s / 3600)} h ago`;
  return shortTime(iso);
}

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = bytes / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

const ACTIONS: Record<string, string> = {
  'file.uploaded': 'uploaded',
  'file.checked_out': 'checked out',
  'file.checked_in': 'checked in',
  'file.checkout_cancelled': 'cancelled the checkout of',
  'file.lock_overridden': 'overrode the lock on',
  'file.updated': 'edited',
  'file.deleted': 'deleted',
  'file.linked': 'linked',
  'file.state_changed': 'changed the state of',
  'file.release_requested': 'requested release of',
  'file.approved': 'approved',
  signature_failed: 'failed an electronic signature on',
  'file.rejected': 'rejected',
  'file.release_withdrawn': 'withdrew the release request for',
  'file.released': 'released',
  'file.obsoleted': 'made obsolete',
  'file.reactivated': 'reactivated',
  'file.queue_changed': 'changed the queue of',
  'file.watched': 'joined the queue of',
  'file.unwatched': 'left the queue of',
  'project.created': 'created project',
  'project.updated': 'updated project',
  'project.deleted': 'deleted project',
  login: 'signed in',
  logout: 'signed out',
  login_failed: 'failed to sign in',
  password_changed: 'changed their password',
  password_change_failed: 'failed to change their password',
  'user.created': 'created user',
  'user.updated': 'changed user',
  'user.disabled': 'disabled user',
  'token.created': 'created API token',
  'token.revoked': 'revoked API token',
  'sync.pushed': 'pushed to the remote',
  'sync.failed': 'failed to sync',
  'sync.pulled': 'pulled from the remote',
};

/** For the audit log's Action column and filter: "overrode lock", "checked in", "edited details". */
const AUDIT_NAMES: Record<string, string> = {
  'file.checkout_cancelled': 'cancelled checkout',
  'file.lock_overridden': 'overrode lock',
  'file.updated': 'edited details',
  'file.linked': 'linked file',
  'file.release_requested': 'requested release',
  'file.release_withdrawn': 'withdrew release request',
  signature_failed: 'failed e-signature',
};
export const auditActionName = (action: string): string => AUDIT_NAMES[action] ?? actionVerb(action);

/** "checked out" for "file.checked_out"; falls back to the raw action. */
export function actionVerb(action: string): string {
  return ACTIONS[action] ?? action.replace(/[._]/g, ' ');
}

/** "since 14:32 (5 min ago)" today, "since Nov 24, 14:32" before: local time, relative when recent. */
export function sinceText(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '';
  const age = now - new Date(iso).getTime();
  const rel = age >= 0 && age < 6 * 3600_000 ? ` (${relativeTime(iso, now)})` : '';
  return `since ${shortTime(iso)}${rel}`;
}

/** `Locked by maria since 14:32 — "new fixture"`: the one way a lock is told to people. */
export function lockText(holder: string | null | undefined, at: string | null | undefined, message?: string | null): string {
  const since = sinceText(at);
  return `Locked by ${holder ?? 'someone'}${since ? ` ${since}` : ''}${message ? ` — “${message}”` : ''}`;
}

/** `1234567_op2.A.nc`: the name an old revision downloads under (the server sends the same). */
export function revisionedName(name: string, revision: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)}.${revision}${name.slice(dot)}` : `${name}.${revision}`;
}
