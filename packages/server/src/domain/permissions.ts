import type { Role } from '@lockstep/protocol';

/** What each role may do. Lock-holder rules (check in, cancel) are checked by the services. */
export type Permission =
  | 'read' // list, download, history, own tokens
  | 'write' // upload, check out/in, cancel own, edit metadata of own checkout, links
  | 'admin'; // users, audit, projects, override, delete, any metadata

const GRANTS: Record<Role, readonly Permission[]> = {
  admin: ['read', 'write', 'admin'],
  user: ['read', 'write'],
  viewer: ['read'],
};

export function can(role: Role, permission: Permission): boolean {
  return GRANTS[role].includes(permission);
}
