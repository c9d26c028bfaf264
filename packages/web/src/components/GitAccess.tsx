import { useState } from 'react';
import { gitPaths } from '@lockstep/protocol';

/** Clone URL of a project for git clients, and the one-time desktop set-up (Git LFS locks). */
export function GitAccess({ slug, username, canPush }: { slug: string; username: string; canPush: boolean }) {
  const origin = window.location.origin;
  const url = `${origin.replace('://', `://${encodeURIComponent(username)}@`)}${gitPaths.repo(slug)}`;
  const [copied, setCopied] = useState<string | null>(null);
  const copy = async (what: string, text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(what);
      setTimeout(() => setCopied(null), 2000);
    } catch {
      setCopied(null);
    }
  };
  const setup = [
    'git lfs install',
    'git config --global credential.helper store   # or manager / osxkeychain',
    `git clone ${url}`,
    '# password: a personal API token (Account → API tokens)',
  ].join('\n');
  return (
    <details className="card mb-4 p-3 text-sm" data-testid="git-access">
      <summary className="cursor-pointer font-medium">Use with git (clone URL, Git LFS locks)</summary>
      <div className="mt-3 space-y-3">
        <div className="flex flex-wrap items-center gap-2">
          <label htmlFor="git-clone-url" className="muted">
            Clone URL
          </label>
          <input id="git-clone-url" readOnly value={url} className="input min-w-0 flex-1 font-mono" onFocus={(e) => e.target.select()} />
          <button type="button" className="btn" onClick={() => void copy('url', url)} aria-live="polite">
            {copied === 'url' ? 'Copied' : 'Copy'}
          </button>
        </div>
        <div>
          <p className="muted mb-1">One-time set-up on each computer:</p>
          <pre className="overflow-x-auto rounded-md bg-slate-100 p-2 font-mono text-xs dark:bg-slate-800">{setup}</pre>
          <button type="button" className="btn mt-1" onClick={() => void copy('setup', setup)}>
            {copied === 'setup' ? 'Copied' : 'Copy set-up'}
          </button>
        </div>
        <ul className="list-disc space-y-1 pl-5">
          <li>
            The project&apos;s <code>.gitattributes</code> marks its file types <code>lockable</code> (e.g. <code>*.mcam lockable</code>):
            files stay read-only until you lock them.
          </li>
          {canPush ? (
            <>
              <li>
                <code>git lfs lock &lt;path&gt;</code> checks a file out (everyone sees it live); <code>git lfs locks</code> lists every
                check-out; <code>git lfs unlock &lt;path&gt;</code> releases it.
              </li>
              <li>
                A push is accepted only for files you have checked out; new files become revision A. Lockstep then adds a metadata commit
                (the new revisions): run <code>git pull</code> before your next push.
              </li>
            </>
          ) : (
            <li>Your role can clone and fetch; locking and pushing need the user role.</li>
          )}
        </ul>
      </div>
    </details>
  );
}
