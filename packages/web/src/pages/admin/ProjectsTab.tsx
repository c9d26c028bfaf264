import { useQueryClient } from '@tanstack/react-query';
import { api, type Project } from '@lockstep/protocol';
import { patch } from '../../api/client';
import { keys, useProjects } from '../../api/queries';
import { EmptyState, ErrorText, Spinner } from '../../components/ui';
import { useSubmit } from '../../lib/useSubmit';
import { toast } from '../../realtime/stores';

export const APPROVAL_COUNTS = [1, 2, 3, 4, 5] as const;

function ProjectSettings({ project }: { project: Project }) {
  const qc = useQueryClient();
  const { busy, error, run } = useSubmit();
  const id = `approvals-${project.slug}`;
  const save = (approvalsRequired: number) =>
    void run(async () => {
      await patch(api.project(project.slug), { approvalsRequired });
      await qc.invalidateQueries({ queryKey: keys.projects });
      toast({ tone: 'success', title: `${project.name}: ${approvalsRequired} approval${approvalsRequired === 1 ? '' : 's'} per release` });
    });
  return (
    <li className="card space-y-2 p-4" data-testid={`project-settings-${project.slug}`}>
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h2 className="min-w-0 font-semibold break-words">
          {project.name} <span className="font-mono text-xs font-normal muted">{project.slug}</span>
        </h2>
        <div>
          <label htmlFor={id} className="label">
            Approvals required
          </label>
          <select
            id={id}
            className="input w-24"
            value={project.approvalsRequired}
            disabled={busy}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? `${id}-error` : undefined}
            onChange={(e) => save(Number(e.target.value))}
          >
            {APPROVAL_COUNTS.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </div>
      </div>
      <p className="text-sm muted">
        A release needs this many signatures of approvers other than the requester. A change applies to releases requested after it.
      </p>
      <ErrorText error={error} id={`${id}-error`} />
    </li>
  );
}

/** Per-project settings of the release lifecycle. */
export function ProjectsTab() {
  const projects = useProjects();
  return (
    <div className="space-y-4">
      {projects.isPending && <Spinner />}
      <ErrorText error={projects.error} />
      {projects.data?.length === 0 && <EmptyState title="No projects yet" />}
      <ul className="space-y-4">
        {projects.data?.map((p) => (
          <ProjectSettings key={p.slug} project={p} />
        ))}
      </ul>
    </div>
  );
}
