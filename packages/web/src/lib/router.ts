import { useRouterState, type AnyRouter } from '@tanstack/react-router';

/**
 * A thin facade over TanStack Router (see src/router.tsx) for code that only has a URL string:
 * toasts, notices, components added by other features. New code may use the typed
 * `<Link to=…>` and `useNavigate()` of @tanstack/react-router directly.
 */
export type Route =
  | { name: 'projects' }
  | { name: 'project'; slug: string }
  | { name: 'dashboard' }
  | { name: 'account' }
  | { name: 'notifications' }
  | { name: 'admin'; tab: string }
  | { name: 'notFound' };

let instance: AnyRouter | null = null;
export const bindRouter = (r: AnyRouter) => void (instance = r);

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  void instance?.navigate({ href: to, replace: opts.replace });
}

export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0 || (parts[0] === 'projects' && parts.length === 1)) return { name: 'projects' };
  if (parts[0] === 'projects' && parts.length === 2) return { name: 'project', slug: parts[1]! };
  if (parts[0] === 'dashboard' && parts.length === 1) return { name: 'dashboard' };
  if (parts[0] === 'account' && parts.length === 1) return { name: 'account' };
  if (parts[0] === 'notifications' && parts.length === 1) return { name: 'notifications' };
  if (parts[0] === 'admin') return { name: 'admin', tab: parts[1] ?? 'users' };
  return { name: 'notFound' };
}

/** Which page is showing (for the header's current-page marks and the live subscriptions). */
export function useRoute(): Route {
  const pathname = useRouterState({ select: (s) => s.location.pathname });
  return parseRoute(pathname);
}

export const projectHref = (slug: string) => `/projects/${encodeURIComponent(slug)}`;
