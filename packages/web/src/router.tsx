import { createRootRoute, createRoute, createRouter, Outlet, redirect } from '@tanstack/react-router';
import type { FileSort, FileState, FileStatus } from '@lockstep/protocol';
import { useAuth } from './api/auth';
import { useProjects } from './api/queries';
import { FILE_VIEWS, type FileView } from './components/FileDetail';
import { Layout } from './components/Layout';
import { Spinner } from './components/ui';
import { NotFound } from './components/NotFound';
import { AccountPage } from './pages/AccountPage';
import { AdminPage, type AdminTab } from './pages/AdminPage';
import { DashboardPage } from './pages/DashboardPage';
import { FileBrowserPage } from './pages/FileBrowserPage';
import { LoginPage } from './pages/LoginPage';
import { NotificationsPage } from './pages/NotificationsPage';
import { ProjectsPage } from './pages/ProjectsPage';
import { useRealtime } from './realtime/useRealtime';
import { useSubscriptions } from './realtime/socket';
import { useRoute } from './lib/router';

/**
 * The app's pages, typed (TanStack Router). The file browser's search, sort, status and state
 * filters and the open file live in the URL, so a view can be linked and survives a reload. To add a page: a route here
 * and its entry in `routeTree`; links use `<Link to="/path">` from @tanstack/react-router.
 */

/** Subscribes to every visible project so locks, activity and toasts stay live everywhere. */
function LiveData() {
  const { user } = useAuth();
  const route = useRoute();
  useRealtime(user?.username ?? null, route.name === 'project' ? route.slug : null);
  const projects = useProjects();
  useSubscriptions(projects.data?.map((p) => p.slug) ?? []);
  return null;
}

function Root() {
  const { user, loading } = useAuth();
  if (loading)
    return (
      <div className="grid min-h-screen place-items-center">
        <Spinner />
      </div>
    );
  if (!user) return <LoginPage />;
  return (
    <Layout>
      <LiveData />
      <Outlet />
    </Layout>
  );
}

const rootRoute = createRootRoute({
  component: Root,
  notFoundComponent: () => <NotFound text="There is no page at this address." />,
});

const projectsRoute = createRoute({ getParentRoute: () => rootRoute, path: '/', component: ProjectsPage });
const projectsAlias = createRoute({
  getParentRoute: () => rootRoute,
  path: '/projects',
  beforeLoad: () => {
    // TanStack Router's way to redirect: throw the redirect object.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    throw redirect({ to: '/' });
  },
});

const SORTS = ['group', 'name', 'path', '-modified', 'modified', 'revision', 'status'] as const satisfies readonly FileSort[];
const STATUSES = ['available', 'checked_out_by_me', 'locked'] as const satisfies readonly FileStatus[];
const STATES = ['wip', 'in_review', 'released', 'obsolete'] as const satisfies readonly FileState[];
const VIEWS = FILE_VIEWS.filter((v): v is Exclude<FileView, 'details'> => v !== 'details');

export interface BrowserSearch {
  q?: string;
  sort?: FileSort;
  status?: FileStatus;
  state?: FileState;
  /** The file whose details are open (a notification links straight to it). */
  file?: string;
  /** The open file's tab (details when absent). */
  view?: Exclude<FileView, 'details'>;
}

const pick = <T extends string>(v: unknown, allowed: readonly T[]): T | undefined => (allowed.includes(v as T) ? (v as T) : undefined);

export const projectRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/projects/$slug',
  validateSearch: (s: Record<string, unknown>): BrowserSearch => ({
    q: typeof s.q === 'string' && s.q ? s.q : undefined,
    sort: pick(s.sort, SORTS),
    status: pick(s.status, STATUSES),
    state: pick(s.state, STATES),
    file: typeof s.file === 'string' && s.file ? s.file : undefined,
    view: pick(s.view, VIEWS),
  }),
  component: function ProjectPage() {
    const { slug } = projectRoute.useParams();
    return <FileBrowserPage key={slug} slug={slug} />;
  },
});

const dashboardRoute = createRoute({ getParentRoute: () => rootRoute, path: '/dashboard', component: DashboardPage });
const accountRoute = createRoute({ getParentRoute: () => rootRoute, path: '/account', component: AccountPage });
const notificationsRoute = createRoute({ getParentRoute: () => rootRoute, path: '/notifications', component: NotificationsPage });

const ADMIN_TABS = ['users', 'projects', 'audit', 'sync'] as const satisfies readonly AdminTab[];
const adminIndex = createRoute({
  getParentRoute: () => rootRoute,
  path: '/admin',
  beforeLoad: () => {
    // TanStack Router's way to redirect: throw the redirect object.
    // eslint-disable-next-line @typescript-eslint/only-throw-error
    throw redirect({ to: '/admin/$tab', params: { tab: 'users' } });
  },
});
export const adminRoute = createRoute({
  getParentRoute: () => rootRoute,
  path: '/admin/$tab',
  component: function Admin() {
    const { tab } = adminRoute.useParams();
    const { user } = useAuth();
    const known = pick(tab, ADMIN_TABS);
    if (!known) return <NotFound text="There is no page at this address." />;
    if (user?.role !== 'admin') return <NotFound text="The admin area is for administrators." />;
    return <AdminPage tab={known} />;
  },
});

const routeTree = rootRoute.addChildren([
  projectsRoute,
  projectsAlias,
  projectRoute,
  dashboardRoute,
  accountRoute,
  notificationsRoute,
  adminIndex,
  adminRoute,
]);

export const router = createRouter({ routeTree, defaultPreload: false, scrollRestoration: true });

declare module '@tanstack/react-router' {
  interface Register {
    router: typeof router;
  }
}
