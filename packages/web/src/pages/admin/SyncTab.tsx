import { useState, type SubmitEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, type Project, type UpdateProjectRequest } from '@lockstep/protocol';
import { patch } from '../../api/client';
import { keys, useProjects } from '../../api/queries';
import { Field } from '../../components/Field';
import { EmptyState, ErrorText, Spinner } from '../../components/ui';
import { fullTime } from '../../lib/format';
import { useSubmit } from '../../lib/useSubmit';
import { toast } from '../../realtime/stores';
import { SyncBadge } from '../ProjectsPage';

function ProjectSync({ project }: { project: Project }) {
  const qc = useQueryClient();
  const [url, setUrl] = useState(project.remoteUrl ?? '');
  const [token, setToken] = useState('');
  const { busy, error, run } = useSubmit();

  const save = (body: UpdateProjectRequest, what: string) =>
    run(async () => {
      await patch(api.project(project.slug), body);
      await qc.invalidateQueries({ queryKey: keys.projects });
      setToken('');
      toast({ tone: 'success', title: `${project.name}: ${what}` });
    });
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    const body: UpdateProjectRequest = { remoteUrl: url.trim() || null };
    if (token) body.remoteToken = token; // write-only: only sent when typed
    void save(body, 'remote settings saved');
  };

  return (
    <form
      onSubmit={submit}
      className="card space-y-3 p-4"
      aria-label={`Remote sync for ${project.name}`}
      data-testid={`sync-${project.slug}`}
    >
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="font-semibold">
          {project.name} <span className="font-mono text-xs font-normal muted">{project.slug}</span>
        </h2>
        <SyncBadge project={project} />
      </div>
      {project.sync.lastSyncAt && <p className="text-xs muted">Last sync {fullTime(project.sync.lastSyncAt)}</p>}
      {project.sync.lastError && <p className="text-xs text-rose-600 dark:text-rose-400">Last error: {project.sync.lastError}</p>}
      <div className="grid gap-3 md:grid-cols-2">
        <Field
          id={`remote-url-${project.slug}`}
          label="Remote URL"
          className="font-mono"
          type="url"
          placeholder="https://gitlab.example.com/shop/vault.git"
          value={url}
          onChange={(e) => setUrl(e.target.value)}
        />
        <Field
          id={`remote-token-${project.slug}`}
          label="Access token"
          hint="write-only"
          className="font-mono"
          type="password"
          autoComplete="off"
          placeholder={project.remoteUrl ? '•••••• unchanged' : 'token with push rights'}
          value={token}
          onChange={(e) => setToken(e.target.value)}
        />
      </div>
      <ErrorText error={error} />
      <div className="flex justify-end gap-2">
        {project.remoteUrl && (
          <button
            type="button"
            className="btn btn-secondary"
            disabled={busy}
            onClick={() => void save({ remoteUrl: null, remoteToken: null }, 'remote removed')}
          >
            Remove remote
          </button>
        )}
        <button type="submit" className="btn btn-primary" disabled={busy}>
          {busy ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}

export function SyncTab() {
  const projects = useProjects();
  return (
    <div className="space-y-4">
      <p className="text-sm muted">
        Commits are pushed to the remote in the background, with retry. The token is stored on the server and never shown again.
      </p>
      {projects.isPending && <Spinner />}
      <ErrorText error={projects.error} />
      {projects.data?.length === 0 && <EmptyState title="No projects yet" />}
      {projects.data?.map((p) => (
        <ProjectSync key={p.slug} project={p} />
      ))}
    </div>
  );
}
