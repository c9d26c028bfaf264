import { useState } from 'react';
import { api, AuditAction } from '@lockstep/protocol';
import { withQuery } from '../../api/client';
import { useAudit, useProjects, type AuditParams } from '../../api/queries';
import { Field } from '../../components/Field';
import { Cell, StackTable } from '../../components/StackTable';
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
        <StackTable columns={['When', 'User', 'Action', 'Project / file', 'Rev', 'Message']}>
          {audit.data?.map((e) => (
            <tr role="row" key={e.id}>
              <Cell label="When" className="text-xs whitespace-nowrap muted" title={fullTime(e.at)}>
                {shortTime(e.at)}
              </Cell>
              <Cell label="User" className="font-medium">
                {e.user ?? '—'}
              </Cell>
              <Cell label="Action" className="text-sm" title={e.action} data-action={e.action}>
                {auditActionName(e.action)}
              </Cell>
              <Cell label="File" className="text-sm [overflow-wrap:anywhere] lg:max-w-xs">
                {e.project && (
                  <>
                    <span className="muted">{e.project}</span>
                    {e.path && <span className="font-mono"> / {e.path}</span>}
                  </>
                )}
              </Cell>
              <Cell label="Rev" className="font-mono text-sm">
                {e.revision}
              </Cell>
              <Cell label="Message" className="text-sm [overflow-wrap:anywhere] lg:max-w-sm">
                {e.message}
              </Cell>
            </tr>
          ))}
        </StackTable>
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
