// The login limit per username, whatever the address: rotating addresses (or a botnet) cannot
// guess one account's password faster than loginUserFailures per window. The per-address limit
// stays in the route (@fastify/rate-limit); this one lives in the database so every instance counts.
import { addFailure, clearFailures, failuresSince } from '../store/login-failures.js';
import { usernameKey } from '../store/users.js';
import type { Services } from './context.js';
import { AppError } from './errors.js';

const keyOf = (username: string) => usernameKey(username).slice(0, 200);
const windowStart = (s: Services) => new Date(Date.now() - s.config.loginUserWindowMs).toISOString();

/** 429 while the username has used up its failures; checked before the password is even verified. */
export async function assertLoginAllowed(s: Services, username: string): Promise<void> {
  const failures = await failuresSince(s.db, keyOf(username), windowStart(s));
  if (failures >= s.config.loginUserFailures) {
    const minutes = Math.round(s.config.loginUserWindowMs / 60_000);
    throw new AppError(429, 'rate_limited', `too many failed logins for this username; wait up to ${minutes} minutes and retry`);
  }
}

export async function recordLoginFailure(s: Services, username: string): Promise<void> {
  await addFailure(s.db, keyOf(username), new Date().toISOString(), windowStart(s));
}

/** A successful login starts the count again. */
export async function resetLoginFailures(s: Services, username: string): Promise<void> {
  await clearFailures(s.db, keyOf(username));
}
