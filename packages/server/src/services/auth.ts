import crypto from 'node:crypto';
import type { User } from '@lockstep/protocol';
import { appendAudit } from '../store/audit.js';
import { findSessionUser, findTokenUser, insertSession, deleteSession, deleteUserSessions } from '../store/sessions.js';
import { findUserById, findUserByName, toUser, updateUser } from '../store/users.js';
import type { Revocation } from '../events/bus.js';
import type { Actor, Services } from './context.js';
import { AppError } from './errors.js';
import { assertLoginAllowed, recordLoginFailure, resetLoginFailures } from './login-throttle.js';

export const SESSION_COOKIE = 'lockstep_session';
// algorithm 2 = Argon2id (the enum is a const enum, unusable under isolatedModules).
const ARGON = { algorithm: 2, memoryCost: 19456, timeCost: 2, parallelism: 1 };

// Loaded on first use: a restart serves its first requests without it (start-up time).
const argon2 = () => import('@node-rs/argon2');
const verify = async (hashed: string, password: string) => (await argon2()).verify(hashed, password);

export const hashPassword = async (password: string) => (await argon2()).hash(password, ARGON);
export const sha256 = (secret: string) => crypto.createHash('sha256').update(secret).digest('hex');
export const randomSecret = (bytes = 32) => crypto.randomBytes(bytes).toString('base64url');

// A fixed hash to verify against when the user does not exist, so timing does not reveal usernames.
let dummyHash: Promise<string> | null = null;

export async function login(
  s: Services,
  username: string,
  password: string,
): Promise<{ user: User; sessionToken: string; csrfToken: string }> {
  await assertLoginAllowed(s, username);
  const row = await findUserByName(s.db, username);
  dummyHash ??= hashPassword(randomSecret());
  const ok = row ? await verify(row.password_hash, password) : (await verify(await dummyHash, password), false);
  if (!row || !ok || row.disabled) {
    await recordLoginFailure(s, username);
    await appendAudit(s.db, { username: username.slice(0, 64), action: 'login_failed' });
    throw new AppError(401, 'unauthenticated', 'wrong username or password');
  }
  await resetLoginFailures(s, username);
  const sessionToken = randomSecret();
  const csrfToken = randomSecret();
  await insertSession(s.db, { idHash: sha256(sessionToken), userId: row.id, csrfToken, ttlMs: s.config.sessionTtlMs });
  await appendAudit(s.db, { username: row.username, action: 'login' });
  return { user: toUser(row), sessionToken, csrfToken };
}

export async function logout(s: Services, sessionToken: string, actor: Actor): Promise<void> {
  const idHash = sha256(sessionToken);
  await deleteSession(s.db, idHash);
  await revokeAccess(s, { userId: actor.id, sessions: [`s:${idHash}`], reason: 'logged out' });
  await appendAudit(s.db, { username: actor.username, action: 'logout' });
}

/**
 * After a change that ends or narrows access (logout, disable, role, password, token deletion):
 * cached sessions go, and every instance closes the affected sockets at once.
 */
export async function revokeAccess(s: Services, revocation: Revocation): Promise<void> {
  s.sessionCache.clear();
  await s.bus.revoke(revocation);
}

export interface Authenticated {
  user: User;
  actor: Actor;
  /** Set for cookie sessions: unsafe requests must echo it in X-CSRF-Token. */
  csrfToken: string | null;
  via: 'cookie' | 'bearer';
  /** `s:<session hash>` or `t:<token id>`: what revocation matches a socket by. */
  session: string;
  /** When the cookie session ends; null for tokens. */
  expiresAt: string | null;
}

/** Resolves a session cookie or a Bearer API token to an active user. */
export async function authenticate(
  s: Services,
  cookie: string | undefined,
  authorization: string | undefined,
): Promise<Authenticated | null> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (bearer) {
    const row = await findTokenUser(s.db, sha256(bearer));
    if (!row || row.disabled) return null;
    return {
      user: toUser(row),
      actor: { id: row.id, username: row.username, role: row.role },
      csrfToken: null,
      via: 'bearer',
      session: `t:${row.tokenId}`,
      expiresAt: null,
    };
  }
  if (!cookie) return null;
  const idHash = sha256(cookie);
  const cached = s.sessionCache.get(idHash);
  if (cached) return cached;
  const ticket = s.sessionCache.ticket();
  const found = await findSessionUser(s.db, idHash);
  if (!found || found.user.disabled) return null;
  const { user, csrfToken } = found;
  const auth: Authenticated = {
    user: toUser(user),
    actor: { id: user.id, username: user.username, role: user.role },
    csrfToken,
    via: 'cookie',
    session: `s:${idHash}`,
    expiresAt: found.expiresAt,
  };
  s.sessionCache.set(ticket, idHash, auth, found.expiresAt);
  return auth;
}

export function csrfMatches(expected: string, given: string | undefined): boolean {
  if (!given) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && crypto.timingSafeEqual(a, b);
}

/** Change your own password (the current one proves it is you); every other session of yours ends. */
/**
 * An electronic signature (an approval): the actor's own password, re-entered. Failures are audited
 * and count against the login throttle, so the approve endpoint is no way around it.
 */
export async function verifySignature(
  s: Services,
  actor: Actor,
  password: string,
  on: { project: string; path: string },
): Promise<boolean> {
  await assertLoginAllowed(s, actor.username);
  const row = await findUserById(s.db, actor.id);
  if (row && !row.disabled && (await verify(row.password_hash, password))) return true;
  await recordLoginFailure(s, actor.username);
  await appendAudit(s.db, { username: actor.username, action: 'signature_failed', project: on.project, path: on.path.slice(0, 1024) });
  return false;
}

export async function changePassword(
  s: Services,
  actor: Actor,
  currentSessionToken: string | undefined,
  currentPassword: string,
  newPassword: string,
): Promise<void> {
  const row = await findUserById(s.db, actor.id);
  if (!row || !(await verify(row.password_hash, currentPassword))) {
    await appendAudit(s.db, { username: actor.username, action: 'password_change_failed' });
    throw new AppError(403, 'forbidden', 'the current password is wrong');
  }
  if (currentPassword === newPassword) throw new AppError(400, 'validation', 'the new password must differ from the current one');
  await updateUser(s.db, actor.id, { passwordHash: await hashPassword(newPassword) });
  const kept = currentSessionToken ? sha256(currentSessionToken) : undefined;
  await deleteUserSessions(s.db, actor.id, kept);
  // Every other session ends, its sockets and the API tokens' too; this one stays.
  await revokeAccess(s, { userId: actor.id, ...(kept ? { exceptSession: `s:${kept}` } : {}), reason: 'password changed' });
  await appendAudit(s.db, { username: actor.username, action: 'password_changed' });
}
