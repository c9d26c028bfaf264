import { useState } from 'react';
import { api, AuditAction } from '@lockstep/protocol';
import { withQuery } from '../../api/client';
import { useAudit, useProjects, type AuditParams } from '../../api/queries';
import { Field } from '../../components/Field';
import { ErrorText, Spinner } from '../../components/ui';
import { auditActionName, fullTime, shortTime } from '../../lib/format';

const ACTIONS: string[] = [...AuditAction.anyOf.map((s) => s.const), 'password_changed'];

/** `yyyy-mm-dd` from a date input → ISO at local start (or end) of that day. */
function dayToIso(day: string, end = false): string | undefined {
  if (!day) return undefined;
  const d = new Date(`${day}T${end ? '23:59:59.999' : '00:00:00'}`);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function AuditTab() {
  const projects = useProjects();
  const [project, setProject] = useState('');
  const [user, setUser] = useState('');
  const [action, setAction] = useState('');
  const [since, setSince] = useState('');
  const [until, setUntil] = useState('');
  const params: AuditParams = {
    project: project || undefined,
    user: user.trim() || undefined,
    action: action || undefined,
    since: dayToIso(since),
    until: dayToIso(until, true),
  };
  const audit = useAudit({ ...params, limit: 500 });
  const csv = withQuery(api.auditCsv, { ...params });

  return (
    <div className="space-y-4">
      <div className="card flex flex-wrap items-end gap-3 p-3" role="search" aria-label="Audit filters">
        <Field as="select" id="audit-project" label="Project" value={project} onChange={(e) => setProject(e.target.value)}>
          <option value="">All projects</option>
          {projects.data?.map((p) => (
            <option key={p.slug} value={p.slug}>
              {p.name}
            </option>
          ))}
        </Field>
        <Field
          id="audit-user"
          label="User"
          hint="part of a name"
          className="w-40"
          value={user}
          onChange={(e) => setUser(e.target.value)}
          placeholder="username"
        />
        <Field as="select" id="audit-action" label="Action" value={action} onChange={(e) => setAction(e.target.value)}>
          <option value="">All actions</option>
          {ACTIONS.map((a) => (
            <option key={a} value={a}>
              {auditActionName(a)}
            </option>
          ))}
        </Field>
        <Field id="audit-since" label="From" type="date" value={since} onChange={(e) => setSince(e.target.value)} />
        <Field id="audit-until" label="To" type="date" value={until} onChange={(e) => setUntil(e.target.value)} />
        <a href={csv} download className="btn btn-secondary ml-auto">
          Export CSV
        </a>
      </div>
      <ErrorText error={audit.error} />
      <div className="card overflow-x-auto" tabIndex={0} role="region" aria-label="Audit entries">
        <table className="w-full">
          <thead className="border-b border-slate-200 dark:border-slate-800">
            <tr>
              <th className="th">When</th>
              <th className="th">User</th>
              <th className="th">Action</th>
              <th className="th">Project / file</th>
              <th className="th">Rev</th>
              <th className="th">Message</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {audit.data?.map((e) => (
              <tr key={e.id}>
                <td className="td text-xs whitespace-nowrap muted" title={fullTime(e.at)}>
                  {shortTime(e.at)}
                </td>
                <td className="td font-medium">{e.user ?? '—'}</td>
                <td className="td text-sm" title={e.action} data-action={e.action}>
                  {auditActionName(e.action)}
                </td>
                <td className="td max-w-xs text-sm [overflow-wrap:anywhere]">
                  {e.project && <span className="muted">{e.project}</span>}
                  {e.path && <span className="font-mono"> / {e.path}</span>}
                </td>
                <td className="td font-mono text-sm">{e.revision ?? ''}</td>
                <td className="td max-w-sm text-sm [overflow-wrap:anywhere]">{e.message ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {audit.isPending && (
          <div className="p-4">
            <Spinner label="Loading audit log" />
          </div>
        )}
        {audit.data?.length === 0 && <p className="px-4 py-8 text-center text-sm muted">No entries match these filters.</p>}
      </div>
    </div>
  );
}
