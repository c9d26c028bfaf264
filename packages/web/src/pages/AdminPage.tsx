import { Link } from '../components/Layout';
import { AuditTab } from './admin/AuditTab';
import { ProjectsTab } from './admin/ProjectsTab';
import { SyncTab } from './admin/SyncTab';
import { UsersTab } from './admin/UsersTab';

const TABS = [
  ['users', 'Users'],
  ['projects', 'Projects'],
  ['audit', 'Audit log'],
  ['sync', 'Remote sync'],
] as const;

export type AdminTab = 'users' | 'projects' | 'audit' | 'sync';

export function AdminPage({ tab }: { tab: AdminTab }) {
  return (
    <div>
      <h1 className="mb-4 text-2xl font-semibold tracking-tight">Administration</h1>
      <nav aria-label="Admin sections" className="mb-6 flex gap-1 overflow-x-auto border-b border-slate-200 dark:border-slate-800">
        {TABS.map(([id, label]) => (
          <Link
            key={id}
            href={`/admin/${id}`}
            aria-current={tab === id ? 'page' : undefined}
            className={`-mb-px border-b-2 px-3 py-2 text-sm font-medium whitespace-nowrap sm:px-4 ${
              tab === id
                ? 'border-indigo-500 text-indigo-700 dark:text-indigo-300'
                : 'border-transparent text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-white'
            }`}
          >
            {label}
          </Link>
        ))}
      </nav>
      {tab === 'users' && <UsersTab />}
      {tab === 'projects' && <ProjectsTab />}
      {tab === 'audit' && <AuditTab />}
      {tab === 'sync' && <SyncTab />}
    </div>
  );
}
