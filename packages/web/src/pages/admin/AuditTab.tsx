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
        <table role="table" className="stack-table w-full">
          <thead role="rowgroup" className="border-b border-slate-200 dark:border-slate-800">
            <tr role="row">
              <th role="columnheader" className="th">
                When
              </th>
              <th role="columnheader" className="th">
                User
              </th>
              <th role="columnheader" className="th">
                Action
              </th>
              <th role="columnheader" className="th">
                Project / file
              </th>
              <th role="columnheader" className="th">
                Rev
              </th>
              <th role="columnheader" className="th">
                Message
              </th>
            </tr>
          </thead>
          <tbody role="rowgroup" className="divide-y divide-slate-100 dark:divide-slate-800">
            {audit.data?.map((e) => (
              <tr role="row" key={e.id}>
                <td role="cell" className="td text-xs whitespace-nowrap muted" title={fullTime(e.at)} data-label="When">
                  <span>{shortTime(e.at)}</span>
                </td>
                <td role="cell" className="td font-medium" data-label="User">
                  <span>{e.user ?? '—'}</span>
                </td>
                <td role="cell" className="td text-sm" title={e.action} data-action={e.action} data-label="Action">
                  <span>{auditActionName(e.action)}</span>
                </td>
                {e.project ? (
                  <td role="cell" className="td text-sm [overflow-wrap:anywhere] lg:max-w-xs" data-label="File">
                    <span>
                      <span className="muted">{e.project}</span>
                      {e.path && <span className="font-mono"> / {e.path}</span>}
                    </span>
                  </td>
                ) : (
                  <td role="cell" className="td" />
                )}
                <td role="cell" className="td font-mono text-sm" data-label="Rev">
                  {e.revision ? <span>{e.revision}</span> : null}
                </td>
                <td role="cell" className="td text-sm [overflow-wrap:anywhere] lg:max-w-sm" data-label="Message">
                  {e.message ? <span>{e.message}</span> : null}
                </td>
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
