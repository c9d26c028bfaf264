import type { ApiToken } from '@lockstep/protocol';
import type { Db } from './db.js';
import { nowIso } from './db.js';
import { prepared } from './prepared.js';
import type { TokenRow } from './schema.js';

import type { UserRow } from './schema.js';

/** Sessions and API tokens are stored by the SHA-256 of their secret: a leaked database grants nothing. */
export async function insertSession(db: Db, s: { idHash: string; userId: number; csrfToken: string; ttlMs: number }) {
  const now = Date.now();
  await db
    .insertInto('sessions')
    .values({
      id_hash: s.idHash,
      user_id: s.userId,
      csrf_token: s.csrfToken,
      created_at: new Date(now).toISOString(),
      expires_at: new Date(now + s.ttlMs).toISOString(),
    })
    .execute();
}

export async function findSessionUser(
  db: Db,
  idHash: string,
): Promise<{ user: UserRow; csrfToken: string; expiresAt: string } | undefined> {
  const row = await selectSessionUser.first(db, { idHash });
  if (!row || row.expires_at < nowIso()) return undefined;
  const { csrf_token, expires_at, ...user } = row;
  return { user, csrfToken: csrf_token, expiresAt: expires_at };
}

const selectSessionUser = prepared((db, k: { idHash: string }) =>
  db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select(['sessions.csrf_token', 'sessions.expires_at'])
    .where('sessions.id_hash', '=', k.idHash),
);

export async function deleteSession(db: Db, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

/** Ends a user's sessions, all of them or all but `keepIdHash` (the one changing the password). */
export async function deleteUserSessions(db: Db, userId: number, keepIdHash?: string): Promise<void> {
  let q = db.deleteFrom('sessions').where('user_id', '=', userId);
  if (keepIdHash) q = q.where('id_hash', '!=', keepIdHash);
  await q.execute();
}

export async function deleteExpiredSessions(db: Db): Promise<void> {
  await db.deleteFrom('sessions').where('expires_at', '<', nowIso()).execute();
}

const toToken = (r: TokenRow): ApiToken => ({
  id: r.id,
  name: r.name,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
});

export async function insertToken(db: Db, t: { userId: number; name: string; tokenHash: string }): Promise<ApiToken> {
  const row = await db
    .insertInto('api_tokens')
    .values({ user_id: t.userId, name: t.name, token_hash: t.tokenHash, created_at: nowIso(), last_used_at: null })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toToken(row);
}

export async function listTokens(db: Db, userId: number): Promise<ApiToken[]> {
  const rows = await db.selectFrom('api_tokens').selectAll().where('user_id', '=', userId).orderBy('id').execute();
  return rows.map(toToken);
}

export async function deleteToken(db: Db, userId: number, id: number): Promise<boolean> {
  const r = await db.deleteFrom('api_tokens').where('id', '=', id).where('user_id', '=', userId).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

export async function findTokenUser(db: Db, tokenHash: string): Promise<(UserRow & { tokenId: number }) | undefined> {
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('users', 'users.id', 'api_tokens.user_id')
    .selectAll('users')
    .select(['api_tokens.id as token_id', 'api_tokens.last_used_at'])
    .where('api_tokens.token_hash', '=', tokenHash)
    .executeTakeFirst();
  if (!row) return undefined;
  const { token_id, last_used_at, ...user } = row;
  // Touch at most once a minute: a script polling the API should not write on every call.
  if (!last_used_at || Date.parse(last_used_at) < Date.now() - 60_000) {
    await db.updateTable('api_tokens').set({ last_used_at: nowIso() }).where('id', '=', token_id).execute();
  }
  return { ...user, tokenId: token_id };
}
