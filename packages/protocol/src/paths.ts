/** URL builders for the HTTP API, shared by the web app, the CLI and tests. A file path is one
 * URL-encoded segment (slashes as %2F), as in GitLab's repository-files API. */
const enc = encodeURIComponent;
const query = (q: Record<string, string | number | boolean | undefined>) => {
  const parts = Object.entries(q).flatMap(([k, v]) => (v === undefined || v === '' ? [] : [`${k}=${enc(String(v))}`]));
  return parts.length ? `?${parts.join('&')}` : '';
};

export const api = {
  health: '/api/health',
  login: '/api/auth/login',
  logout: '/api/auth/logout',
  me: '/api/auth/me',
  password: '/api/auth/password',
  activity: '/api/activity',
  users: '/api/users',
  user: (id: number) => `/api/users/${id}`,
  tokens: '/api/tokens',
  token: (id: number) => `/api/tokens/${id}`,
  projects: '/api/projects',
  project: (slug: string) => `/api/projects/${enc(slug)}`,
  projectSync: (slug: string) => `/api/projects/${enc(slug)}/sync`,
  files: (slug: string) => `/api/projects/${enc(slug)}/files`,
  groups: (slug: string) => `/api/projects/${enc(slug)}/groups`,
  links: (slug: string) => `/api/projects/${enc(slug)}/links`,
  file: (slug: string, path: string) => `/api/projects/${enc(slug)}/files/${enc(path)}`,
  fileContent: (slug: string, path: string, rev?: string) =>
    `/api/projects/${enc(slug)}/files/${enc(path)}/content${rev ? `?rev=${enc(rev)}` : ''}`,
  fileHistory: (slug: string, path: string) => `/api/projects/${enc(slug)}/files/${enc(path)}/history`,
  fileDiff: (slug: string, path: string, q: { from?: string; to?: string; ignoreFormatting?: boolean } = {}) =>
    `/api/projects/${enc(slug)}/files/${enc(path)}/diff${query(q)}`,
  filePreview: (slug: string, path: string, q: { rev?: string; as?: 'auto' | 'text' | 'toolpath' } = {}) =>
    `/api/projects/${enc(slug)}/files/${enc(path)}/preview${query(q)}`,
  fileAction: (slug: string, path: string, action: 'checkout' | 'checkin' | 'cancel' | 'override') =>
    `/api/projects/${enc(slug)}/files/${enc(path)}/${action}`,
  /** Release lifecycle steps (POST). */
  fileLifecycle: (slug: string, path: string, step: 'release-request' | 'approve' | 'reject' | 'withdraw' | 'obsolete' | 'reactivate') =>
    `/api/projects/${enc(slug)}/files/${enc(path)}/${step}`,
  /** The lock queue: POST joins, DELETE leaves. */
  fileWatch: (slug: string, path: string) => `/api/projects/${enc(slug)}/files/${enc(path)}/watch`,
  reviews: '/api/reviews',
  notifications: (q: { unread?: boolean; limit?: number; cursor?: string } = {}) =>
    `/api/notifications${query({ unread: q.unread, limit: q.limit === undefined ? undefined : String(q.limit), cursor: q.cursor })}`,
  notificationsRead: '/api/notifications/read',
  locks: '/api/locks',
  audit: '/api/audit',
  auditCsv: '/api/audit.csv',
  ws: '/ws',
} as const;
