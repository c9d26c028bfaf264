import { useSyncExternalStore } from 'react';

/** A small history router: /, /projects/:slug, /dashboard, /admin[/users|/audit|/sync]. */
export type Route =
  | { name: 'projects' }
  | { name: 'project'; slug: string }
  | { name: 'dashboard' }
  | { name: 'admin'; tab: 'users' | 'audit' | 'sync' }
  | { name: 'notFound' };

export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0 || (parts[0] === 'projects' && parts.length === 1)) return { name: 'projects' };
  if (parts[0] === 'projects' && parts.length === 2) return { name: 'project', slug: parts[1]! };
  if (parts[0] === 'dashboard' && parts.length === 1) return { name: 'dashboard' };
  if (parts[0] === 'admin') {
    const tab = parts[1] ?? 'users';
    if (tab === 'users' || tab === 'audit' || tab === 'sync') return { name: 'admin', tab };
  }
  return { name: 'notFound' };
}

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());
window.addEventListener('popstate', notify);

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (to === location.pathname + location.search) return;
  if (opts.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.scrollTo(0, 0);
  notify();
}

function subscribe(fn: () => void) {
  listeners.add(fn);
  return () => listeners.delete(fn);
}
const snapshot = () => location.pathname + location.search;

export function useLocation(): string {
  return useSyncExternalStore(subscribe, snapshot, snapshot);
}

export function useRoute(): Route {
  const loc = useLocation();
  return parseRoute(loc.split('?')[0] ?? '/');
}

export const projectHref = (slug: string) => `/projects/${encodeURIComponent(slug)}`;
