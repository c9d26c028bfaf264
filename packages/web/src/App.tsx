import { useAuth } from './api/auth';
import { useProjects } from './api/queries';
import { Layout } from './components/Layout';
import { Spinner } from './components/ui';
import { useRoute } from './lib/router';
import { AdminPage } from './pages/AdminPage';
import { DashboardPage } from './pages/DashboardPage';
import { FileBrowserPage } from './pages/FileBrowserPage';
import { LoginPage } from './pages/LoginPage';
import { ProjectsPage } from './pages/ProjectsPage';
import { useRealtime } from './realtime/useRealtime';
import { useSubscriptions } from './realtime/socket';
import { Link } from './components/Layout';

/** Subscribes to every visible project so locks, activity and toasts stay live everywhere. */
function LiveData({ currentProject }: { currentProject: string | null }) {
  const { user } = useAuth();
  useRealtime(user?.username ?? null, currentProject);
  const projects = useProjects();
  useSubscriptions(projects.data?.map((p) => p.slug) ?? []);
  return null;
}

export function App() {
  const { user, loading } = useAuth();
  const route = useRoute();

  if (loading)
    return (
      <div className="grid min-h-screen place-items-center">
        <Spinner />
      </div>
    );
  if (!user) return <LoginPage />;

  let page;
  switch (route.name) {
    case 'projects':
      page = <ProjectsPage />;
      break;
    case 'project':
      page = <FileBrowserPage key={route.slug} slug={route.slug} />;
      break;
    case 'dashboard':
      page = <DashboardPage />;
      break;
    case 'admin':
      page = user.role === 'admin' ? <AdminPage tab={route.tab} /> : <NotFound text="The admin area is for administrators." />;
      break;
    default:
      page = <NotFound text="There is no page at this address." />;
  }
  return (
    <Layout>
      <LiveData currentProject={route.name === 'project' ? route.slug : null} />
      {page}
    </Layout>
  );
}

function NotFound({ text }: { text: string }) {
  return (
    <div className="mx-auto max-w-md py-16 text-center">
      <h1 className="text-xl font-semibold">Page not found</h1>
      <p className="mt-2 muted">{text}</p>
      <Link href="/" className="btn btn-primary mt-6">
        Go to projects
      </Link>
    </div>
  );
}
