import type { AuditQuery } from '@lockstep/protocol';
import { queryAudit, recentActivity } from '../store/audit.js';
import { listLocks } from '../store/locks.js';
import type { Services } from './context.js';

/** The audit trail, newest first (admins; the route checks the role). */
export const auditLog = (s: Services, q: AuditQuery) => queryAudit(s.db, q);

/** Every current lock, optionally of one project or one user. */
export const currentLocks = (s: Services, filter: { project?: string; user?: string }) => listLocks(s.db, filter);

/** Recent project activity, readable by every user (the dashboard). */
export const activity = (s: Services, q: Parameters<typeof recentActivity>[1]) => recentActivity(s.db, q);
