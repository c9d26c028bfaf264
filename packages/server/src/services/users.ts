import type { CreateUserRequest, CreatedToken, Role, UpdateUserRequest, User } from '@lockstep/protocol';
import { appendAudit } from '../store/audit.js';
import { isUniqueViolation } from '../store/db.js';
import { deleteToken, deleteUserSessions, insertToken, listTokens } from '../store/sessions.js';
import { countActiveAdmins, countUsers, findUserById, insertUser, listUsers, updateUser } from '../store/users.js';
import { hashPassword, randomSecret, revokeAccess, sha256 } from './auth.js';
import type { Actor, Services } from './context.js';
import { badRequest, conflict, notFound } from './errors.js';

/** Viewers read and download; approving a release is beyond them, whatever the flag says. */
function refuseViewerApprover(role: Role, approver: boolean | undefined): void {
  if (approver && role === 'viewer') throw badRequest('a viewer cannot approve releases; give them the user role first');
}

export async function createUser(s: Services, actor: Actor, req: CreateUserRequest): Promise<User> {
  refuseViewerApprover(req.role, req.approver);
  try {
    const user = await insertUser(s.db, {
      username: req.username,
      passwordHash: await hashPassword(req.password),
      role: req.role,
      approver: req.approver,
      email: req.email,
    });
    const extras = [user.approver ? 'approver' : null, user.email ? `email=${user.email}` : null].filter(Boolean);
    await appendAudit(s.db, {
      username: actor.username,
      action: 'user.created',
      message: `${user.username} (${[user.role, ...extras].join(', ')})`,
    });
    return user;
  } catch (err) {
    if (isUniqueViolation(err)) throw conflict(`user "${req.username}" already exists`);
    throw err;
  }
}

/** Role, password, disabled, approver flag or e-mail. The last active admin cannot demote or disable themselves away. */
export async function changeUser(s: Services, actor: Actor, id: number, req: UpdateUserRequest): Promise<User> {
  const row = await findUserById(s.db, id);
  if (!row) throw notFound(`user ${id} not found`);
  const losesAdmin = row.role === 'admin' && !row.disabled && ((req.role && req.role !== 'admin') || req.disabled === true);
  if (losesAdmin && (await countActiveAdmins(s.db)) <= 1) throw conflict('this is the last active admin; promote someone else first');
  refuseViewerApprover(req.role ?? row.role, req.approver);
  const user = await updateUser(s.db, id, {
    role: req.role,
    disabled: req.disabled,
    passwordHash: req.password ? await hashPassword(req.password) : undefined,
    approver: req.approver,
    email: req.email,
  });
  // A disabled user or a new password ends existing sessions.
  if (req.disabled || req.password) await deleteUserSessions(s.db, id);
  if (req.role !== undefined || req.disabled !== undefined || req.password !== undefined) {
    // Role, access or password changed: cached sessions carry the old user, and open sockets close
    // (a role change reconnects with the new role).
    // Only a role change leaves the sessions valid: those sockets reconnect with the new role.
    const reason = req.disabled ? 'account disabled' : req.password ? 'password changed' : 'role changed';
    await revokeAccess(s, { userId: id, reason, reconnect: !req.disabled && !req.password });
  } else {
    // Only the approver flag or the address: sockets may stay, but no cached session may keep the old user.
    s.sessionCache.clear();
  }
  const what = Object.keys(req)
    .filter((k) => k !== 'password')
    .map((k) => `${k}=${String(req[k as keyof UpdateUserRequest])}`);
  if (req.password) what.push('password changed');
  await appendAudit(s.db, {
    username: actor.username,
    action: req.disabled ? 'user.disabled' : 'user.updated',
    message: `${row.username}: ${what.join(', ')}`,
  });
  return user!;
}

/** First start: create `admin` with LOCKSTEP_ADMIN_PASSWORD or a random password returned for printing once. */
export async function ensureFirstAdmin(s: Services): Promise<{ username: string; password: string | null } | null> {
  if ((await countUsers(s.db)) > 0) return null;
  const password = s.config.adminPassword ?? randomSecret(12);
  try {
    await insertUser(s.db, { username: 'admin', passwordHash: await hashPassword(password), role: 'admin' });
  } catch (err) {
    if (isUniqueViolation(err)) return null; // another instance created it first
    throw err;
  }
  return { username: 'admin', password: s.config.adminPassword ? null : password };
}

export async function createToken(s: Services, actor: Actor, name: string): Promise<CreatedToken> {
  const token = `lst_${randomSecret()}`;
  const created = await insertToken(s.db, { userId: actor.id, name, tokenHash: sha256(token) });
  await appendAudit(s.db, { username: actor.username, action: 'token.created', message: name });
  return { ...created, token };
}

export async function revokeToken(s: Services, actor: Actor, id: number): Promise<void> {
  if (!(await deleteToken(s.db, actor.id, id))) throw notFound(`token ${id} not found`);
  await revokeAccess(s, { userId: actor.id, sessions: [`t:${id}`], reason: 'token deleted' });
  await appendAudit(s.db, { username: actor.username, action: 'token.revoked', message: String(id) });
}

/** PATCH /api/auth/me: the caller's own e-mail address (null removes it). */
export async function changeMyEmail(s: Services, actor: Actor, email: string | null): Promise<User> {
  const user = await updateUser(s.db, actor.id, { email });
  if (!user) throw notFound(`user ${actor.username} not found`);
  s.sessionCache.clear();
  await appendAudit(s.db, { username: actor.username, action: 'user.updated', message: `${actor.username}: email=${String(email)}` });
  return user;
}

export const allUsers = (s: Services): Promise<User[]> => listUsers(s.db);

export const myTokens = (s: Services, actor: Actor) => listTokens(s.db, actor.id);
