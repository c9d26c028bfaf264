import { useState, type SubmitEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, type Project } from '@lockstep/protocol';
import { isAdmin, useMe } from '../api/auth';
import { post } from '../api/client';
import { keys, useProjects } from '../api/queries';
import { Field } from '../components/Field';
import { fieldErrors } from '../lib/fieldErrors';
import { Link } from '../components/Layout';
import { FormFooter, Modal } from '../components/Modal';
import { Badge, EmptyState, ErrorText, Spinner } from '../components/ui';
import { navigate, projectHref } from '../lib/router';
import { shortTime } from '../lib/format';
import { useSubmit } from '../lib/useSubmit';
import { APPROVAL_COUNTS } from './admin/ProjectsTab';

export function SyncBadge({ project }: { project: Project }) {
  if (!project.remoteUrl) return null;
  const s = project.sync.state;
  const tone = s === 'ok' ? 'green' : s === 'failed' ? 'red' : s === 'pending' ? 'amber' : 'gray';
  const label = s === 'ok' ? 'Synced' : s === 'failed' ? 'Sync failed' : s === 'pending' ? 'Sync pending' : 'Sync idle';
  return (
    <Badge
      tone={tone}
      title={project.sync.lastError ?? (project.sync.lastSyncAt ? `Last sync ${shortTime(project.sync.lastSyncAt)}` : undefined)}
    >
      {label}
    </Badge>
  );
}

export function ProjectsPage() {
  const me = useMe();
  const projects = useProjects();
  const [creating, setCreating] = useState(false);

  return (
    <div>
      <div className="mb-6 flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold tracking-tight">Projects</h1>
          <p className="text-sm muted">Each project is a vault of CNC programs, CAD models and setup sheets.</p>
        </div>
        {isAdmin(me) && (
          <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
            + New project
          </button>
        )}
      </div>
      {projects.isPending && <Spinner label="Loading projects" />}
      <ErrorText error={projects.error} />
      {projects.data?.length === 0 && (
        <EmptyState title="No projects yet">
          {isAdmin(me) ? 'Create the first project to start uploading files.' : 'Ask an administrator to create a project.'}
        </EmptyState>
      )}
      <ul className="grid gap-4 sm:grid-cols-2 xl:grid-cols-3">
        {projects.data?.map((p) => (
          <li key={p.slug}>
            <Link
              href={projectHref(p.slug)}
              className="card group block h-full p-5 transition hover:border-indigo-300 hover:shadow-md dark:hover:border-indigo-500/50"
            >
              <div className="flex items-start justify-between gap-2">
                <div className="min-w-0">
                  <h2 className="truncate font-semibold group-hover:text-indigo-600 dark:group-hover:text-indigo-300">{p.name}</h2>
                  <p className="font-mono text-xs muted">{p.slug}</p>
                </div>
                <SyncBadge project={p} />
              </div>
              <p className="mt-2 line-clamp-2 min-h-10 text-sm muted">{p.description || 'No description'}</p>
              <div className="mt-4 flex gap-4 text-sm">
                <span>
                  <span className="font-semibold">{p.fileCount}</span> <span className="muted">files</span>
                </span>
                <span>
                  <span className={`font-semibold ${p.lockCount ? 'text-amber-600 dark:text-amber-400' : ''}`}>{p.lockCount}</span>{' '}
                  <span className="muted">checked out</span>
                </span>
              </div>
            </Link>
          </li>
        ))}
      </ul>
      {creating && <CreateProjectModal onClose={() => setCreating(false)} />}
    </div>
  );
}

function CreateProjectModal({ onClose }: { onClose: () => void }) {
  const qc = useQueryClient();
  const [name, setName] = useState('');
  const [slug, setSlug] = useState('');
  const [slugEdited, setSlugEdited] = useState(false);
  const [description, setDescription] = useState('');
  const [approvals, setApprovals] = useState(1);
  const { busy, error, run } = useSubmit();
  const autoSlug = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  const effectiveSlug = slugEdited ? slug : autoSlug;

  const errs = fieldErrors(error, { slug: /^project "|remoteUrl/, name: null, description: null });
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    void run(async () => {
      const p = await post<Project | null>(api.projects, {
        slug: effectiveSlug,
        name: name.trim(),
        description: description.trim() || undefined,
        approvalsRequired: approvals,
      });
      await qc.invalidateQueries({ queryKey: keys.projects });
      onClose();
      navigate(projectHref(p?.slug ?? effectiveSlug));
    });
  };

  return (
    <Modal
      title="New project"
      onClose={onClose}
      footer={
        <FormFooter
          form="create-project"
          onCancel={onClose}
          busy={busy}
          disabled={!name.trim() || !effectiveSlug}
          label="Create project"
          busyLabel="Creating…"
        />
      }
    >
      <form id="create-project" onSubmit={submit} className="space-y-4">
        <Field
          id="project-name"
          label="Name"
          required
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="Fixture plates"
          data-autofocus
          error={errs.of('name')}
        />
        <Field
          id="project-slug"
          label="Slug"
          hint="used in URLs: lowercase letters, digits, dashes"
          className="font-mono"
          required
          pattern="[a-z0-9][a-z0-9\-]*"
          maxLength={64}
          value={effectiveSlug}
          onChange={(e) => {
            setSlugEdited(true);
            setSlug(e.target.value);
          }}
          error={errs.of('slug')}
        />
        <Field
          as="textarea"
          id="project-description"
          label="Description"
          rows={2}
          value={description}
          onChange={(e) => setDescription(e.target.value)}
          error={errs.of('description')}
        />
        <Field
          as="select"
          id="project-approvals"
          label="Approvals required"
          hint="signatures a release needs"
          value={approvals}
          onChange={(e) => setApprovals(Number(e.target.value))}
        >
          {APPROVAL_COUNTS.map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </Field>
        <ErrorText error={errs.rest} />
      </form>
    </Modal>
  );
}
