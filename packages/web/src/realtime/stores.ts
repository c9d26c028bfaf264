import type { ProcessData } from '@lockstep/protocol';
import { createStore } from '../lib/store';

export interface Activity {
  id: string;
  at: string;
  actor: string;
  action: string;
  project: string | null;
  path: string | null;
  detail?: string;
}

export interface Toast {
  id: number;
  tone: 'info' | 'success' | 'warning' | 'error';
  title: string;
  body?: string;
}

export interface Notice {
  id: number;
  level: 'info' | 'warning';
  message: string;
  project?: string;
  path?: string;
  at: string;
}

/** Who is online (app-wide presence). */
export const presenceStore = createStore<string[]>([]);
/** Events received over the socket this session, newest first (capped). */
export const activityStore = createStore<Activity[]>([]);
export const toastStore = createStore<Toast[]>([]);
/** Personal notices (e.g. "your lock was overridden"); stay until dismissed. */
export const noticeStore = createStore<Notice[]>([]);
/** Long-running server operations (remote sync…) with progress. */
export const processStore = createStore<Record<string, ProcessData & { state: 'running' | 'completed' | 'failed'; project?: string }>>({});

let nextId = 1;

export function toast(t: Omit<Toast, 'id'>, ttlMs = 6000): void {
  const id = nextId++;
  toastStore.set((list) => [...list.slice(-2), { ...t, id }]);
  setTimeout(() => dismissToast(id), ttlMs);
}

/** Bursts of the same kind ("maria uploaded 12 files") become one toast whose count grows. */
const groups = new Map<string, { id: number; count: number; timer: ReturnType<typeof setTimeout> }>();

export function groupedToast(group: string, t: Omit<Toast, 'id'>, many: (count: number) => string, ttlMs = 6000): void {
  const g = groups.get(group);
  if (g && toastStore.get().some((x) => x.id === g.id)) {
    g.count += 1;
    clearTimeout(g.timer);
    g.timer = setTimeout(() => forget(group, g.id), ttlMs);
    const count = g.count;
    toastStore.set((list) => list.map((x) => (x.id === g.id ? { ...x, title: many(count), body: undefined } : x)));
    return;
  }
  const id = nextId++;
  toastStore.set((list) => [...list.slice(-2), { ...t, id }]);
  groups.set(group, { id, count: 1, timer: setTimeout(() => forget(group, id), ttlMs) });
}

function forget(group: string, id: number): void {
  if (groups.get(group)?.id === id) groups.delete(group);
  dismissToast(id);
}

export const dismissToast = (id: number) => toastStore.set((list) => list.filter((t) => t.id !== id));

export function pushNotice(n: Omit<Notice, 'id'>): void {
  noticeStore.set((list) => [...list, { ...n, id: nextId++ }]);
}

export const dismissNotice = (id: number) => noticeStore.set((list) => list.filter((n) => n.id !== id));

export function pushActivity(a: Activity): void {
  activityStore.set((list) => (list.some((x) => x.id === a.id) ? list : [a, ...list].slice(0, 100)));
}
