import { useQuery } from '@tanstack/react-query';
import {
  api,
  type AuditEntry,
  type FileInfo,
  type FileList,
  type FileSort,
  type FileState,
  type FileStatus,
  type HistoryEntry,
  type Lock,
  type Project,
  type User,
} from '@lockstep/protocol';
import { get, withQuery } from './client';

/** List endpoints answer with an array; tolerate an `{items}` envelope too. */
function asList<T>(x: T[] | { items?: T[] } | null): T[] {
  return Array.isArray(x) ? x : (x?.items ?? []);
}

/** Query keys: one place, so real-time patching and mutations hit the same entries. */
export const keys = {
  me: ['me'] as const,
  projects: ['projects'] as const,
  project: (slug: string) => ['projects', slug] as const,
  filesAll: (slug: string) => ['files', slug] as const,
  files: (slug: string, p: FileListParams) => ['files', slug, p] as const,
  file: (slug: string, path: string) => ['file', slug, path] as const,
  fileAll: (slug: string) => ['file', slug] as const,
  history: (slug: string, path: string) => ['history', slug, path] as const,
  historyAll: (slug: string) => ['history', slug] as const,
  locks: ['locks'] as const,
  lockList: (p: { project?: string; user?: string }) => ['locks', p] as const,
  audit: ['audit'] as const,
  /** Under 'audit': every live file event refreshes it too. */
  activity: ['audit', 'activity'] as const,
  auditList: (p: AuditParams) => ['audit', p] as const,
  users: ['users'] as const,
  reviews: ['reviews'] as const,
  /** Under 'notifications': the bell's list and the inbox pages refresh together. */
  notifications: ['notifications'] as const,
  notificationList: (limit: number) => ['notifications', 'list', limit] as const,
  notificationPages: (unreadOnly: boolean) => ['notifications', 'pages', unreadOnly] as const,
};

export interface FileListParams {
  q?: string;
  sort?: FileSort;
  status?: FileStatus;
  state?: FileState;
}

export interface AuditParams {
  project?: string;
  user?: string;
  action?: string;
  since?: string;
  until?: string;
  limit?: number;
}

export const useProjects = () => useQuery({ queryKey: keys.projects, queryFn: () => get<Project[]>(api.projects).then(asList) });

export const useFiles = (slug: string, p: FileListParams) =>
  useQuery({
    queryKey: keys.files(slug, p),
    queryFn: () => get<FileList>(withQuery(api.files(slug), { ...p, limit: 5000 })),
    placeholderData: (prev) => prev,
  });

export const useFile = (slug: string, path: string | null) =>
  useQuery({
    queryKey: keys.file(slug, path ?? ''),
    queryFn: () => get<FileInfo>(api.file(slug, path!)),
    enabled: !!path,
  });

export const useHistory = (slug: string, path: string | null) =>
  useQuery({
    queryKey: keys.history(slug, path ?? ''),
    queryFn: () => get<HistoryEntry[]>(api.fileHistory(slug, path!)).then(asList),
    enabled: !!path,
  });

export const useLocks = (p: { project?: string; user?: string } = {}) =>
  useQuery({ queryKey: keys.lockList(p), queryFn: () => get<Lock[]>(withQuery(api.locks, p)).then(asList) });

export const useAudit = (p: AuditParams, enabled = true) =>
  useQuery({
    queryKey: keys.auditList(p),
    queryFn: () => get<AuditEntry[]>(withQuery(api.audit, { ...p })).then(asList),
    enabled,
    placeholderData: (prev) => prev,
  });

export const useUsers = (enabled = true) => useQuery({ queryKey: keys.users, queryFn: () => get<User[]>(api.users).then(asList), enabled });

/** Recent project activity, readable by every user (the dashboard after a reload). */
export const useActivity = (limit = 50) =>
  useQuery({ queryKey: keys.activity, queryFn: () => get<AuditEntry[]>(withQuery(api.activity, { limit })) });
