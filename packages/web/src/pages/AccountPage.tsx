import { useState, type SyntheticEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type ApiToken, type CreatedToken } from '@lockstep/protocol';
import { useMe } from '../api/auth';
import { del, get, patch, post } from '../api/client';
import { keys } from '../api/queries';
import { EmailEditor } from '../components/EmailField';
import { Field } from '../components/Field';
import { fieldErrors } from '../lib/fieldErrors';
import { EmptyState, ErrorText, Spinner } from '../components/ui';
import { fullTime, shortTime } from '../lib/format';
import { useSubmit } from '../lib/useSubmit';
import { toast } from '../realtime/stores';

const tokensKey = ['tokens'] as const;

/** Your account: password, API tokens for scripts (and git), the API docs. */
export function AccountPage() {
  const me = useMe();
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">Your account</h1>
        <p className="text-sm muted">
          Signed in as <span className="font-medium">{me.username}</span> ({me.role}
          {me.approver && me.role !== 'admin' ? ', approver' : ''}).{' '}
          <a href="/docs" target="_blank" rel="noreferrer" className="text-indigo-700 underline dark:text-indigo-300">
            HTTP API documentation
          </a>
        </p>
      </div>
      <YourEmail />
      <ChangePassword />
      <Tokens />
    </div>
  );
}

/** Where your notifications are mailed (when the server sends mail). */
function YourEmail() {
  const me = useMe();
  const qc = useQueryClient();
  const { busy, error, run } = useSubmit();
  const errs = fieldErrors(error, { email: null });
  const save = (email: string | null) =>
    run(async () => {
      await patch(api.me, { email });
      await qc.invalidateQueries({ queryKey: keys.me });
      toast({ tone: 'success', title: email ? `Notifications go to ${email}` : 'Email removed' });
    });
  return (
    <section className="card space-y-3 p-4" aria-labelledby="email-title">
      <h2 id="email-title" className="font-semibold">
        Email
      </h2>
      <p className="text-sm muted">
        Release reviews, approvals and the files you wait for are also mailed here, when the server sends mail.
      </p>
      <EmailEditor
        id="my-email"
        label="Your email"
        autoComplete="email"
        placeholder="you@example.com"
        value={me.email}
        busy={busy}
        error={errs.of('email')}
        onSave={save}
      />
      <ErrorText error={errs.rest} />
    </section>
  );
}

function ChangePassword() {
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const { busy, error, setError, run } = useSubmit();
  const errs = fieldErrors(error, {
    currentPassword: /current password is wrong/,
    newPassword: /new password must/,
    repeat: /passwords differ/,
  });
  const submit = (e: SyntheticEvent) => {
    e.preventDefault();
    if (next !== repeat) {
      setError(new Error('The two new passwords differ.'));
      return;
    }
    void run(async () => {
      await post(api.password, { currentPassword: current, newPassword: next });
      setCurrent('');
      setNext('');
      setRepeat('');
      toast({ tone: 'success', title: 'Password changed', body: 'Your other sessions were signed out.' });
    });
  };
  return (
    <form onSubmit={submit} className="card space-y-3 p-4" aria-labelledby="password-title">
      <h2 id="password-title" className="font-semibold">
        Change password
      </h2>
      <p className="text-sm muted">Every other session of yours (other browsers, phones) is signed out; this one stays.</p>
      <Field
        id="current-password"
        label="Current password"
        type="password"
        required
        autoComplete="current-password"
        value={current}
        onChange={(e) => setCurrent(e.target.value)}
        error={errs.of('currentPassword')}
      />
      <div className="grid gap-3 sm:grid-cols-2">
        <Field
          id="new-password-1"
          label="New password"
          hint="at least 8 characters"
          type="password"
          required
          minLength={8}
          autoComplete="new-password"
          value={next}
          onChange={(e) => setNext(e.target.value)}
          error={errs.of('newPassword')}
        />
        <Field
          id="new-password-2"
          label="Repeat new password"
          type="password"
          required
          minLength={8}
          autoComplete="new-password"
          value={repeat}
          onChange={(e) => setRepeat(e.target.value)}
          error={errs.of('repeat')}
        />
      </div>
      <ErrorText error={errs.rest} />
      <button type="submit" className="btn btn-primary" disabled={busy}>
        {busy ? 'Changing…' : 'Change password'}
      </button>
    </form>
  );
}

function Tokens() {
  const qc = useQueryClient();
  const tokens = useQuery({ queryKey: tokensKey, queryFn: () => get<ApiToken[]>(api.tokens) });
  const [name, setName] = useState('');
  const [created, setCreated] = useState<CreatedToken | null>(null);
  const { busy, error, run } = useSubmit();
  const errs = fieldErrors(error, { name: null });
  const revoke = useSubmit();
  const create = (e: SyntheticEvent) => {
    e.preventDefault();
    void run(async () => {
      setCreated(await post<CreatedToken>(api.tokens, { name: name.trim() }));
      setName('');
      await qc.invalidateQueries({ queryKey: tokensKey });
    });
  };
  return (
    <section className="card space-y-3 p-4" aria-labelledby="tokens-title">
      <h2 id="tokens-title" className="font-semibold">
        API tokens
      </h2>
      <p className="text-sm muted">
        For scripts (<code>Authorization: Bearer …</code>) and as the password of <code>git clone</code>.
      </p>
      <form onSubmit={create} className="flex flex-wrap items-end gap-2">
        <Field
          wrap="min-w-0 flex-1"
          id="token-name"
          label="Token name"
          required
          maxLength={100}
          placeholder="e.g. CAM post-processor on PC-12"
          value={name}
          onChange={(e) => setName(e.target.value)}
          error={errs.of('name')}
        />
        <button type="submit" className="btn btn-primary" disabled={busy || !name.trim()}>
          {busy ? 'Creating…' : 'Create token'}
        </button>
      </form>
      <ErrorText error={errs.rest} />
      {created && (
        <div
          role="status"
          className="space-y-2 rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm dark:border-emerald-700 dark:bg-emerald-950/40"
        >
          <p>
            Token <span className="font-medium">{created.name}</span> created. Copy it now: it is shown only once.
          </p>
          <div className="flex flex-wrap items-center gap-2">
            <code data-testid="new-token" className="min-w-0 flex-1 rounded bg-white px-2 py-1 break-all dark:bg-slate-900">
              {created.token}
            </code>
            <button
              type="button"
              className="btn btn-secondary btn-sm"
              onClick={() =>
                void navigator.clipboard
                  .writeText(created.token)
                  .then(() => toast({ tone: 'success', title: 'Token copied' }))
                  .catch(() => toast({ tone: 'warning', title: 'Copy failed: select the token and copy it' }))
              }
            >
              Copy
            </button>
            <button type="button" className="btn btn-ghost btn-sm" onClick={() => setCreated(null)}>
              Done
            </button>
          </div>
        </div>
      )}
      {tokens.isPending && <Spinner label="Loading tokens" />}
      <ErrorText error={tokens.error ?? revoke.error} />
      {tokens.data?.length === 0 && <EmptyState title="No tokens yet" />}
      {!!tokens.data?.length && (
        <ul className="divide-y divide-slate-100 dark:divide-slate-800" aria-label="Your tokens">
          {tokens.data.map((t) => (
            <li key={t.id} data-testid={`token-${t.name}`} className="flex flex-wrap items-center justify-between gap-2 py-2">
              <div className="min-w-0">
                <div className="font-medium break-words">{t.name}</div>
                <div className="text-xs muted">
                  created <span title={fullTime(t.createdAt)}>{shortTime(t.createdAt)}</span> · last used{' '}
                  {t.lastUsedAt ? <span title={fullTime(t.lastUsedAt)}>{shortTime(t.lastUsedAt)}</span> : 'never'}
                </div>
              </div>
              <button
                type="button"
                className="btn btn-danger btn-sm"
                disabled={revoke.busy}
                aria-label={`Revoke token ${t.name}`}
                onClick={() =>
                  void revoke.run(async () => {
                    await del(api.token(t.id));
                    await qc.invalidateQueries({ queryKey: tokensKey });
                    toast({ tone: 'success', title: `Token ${t.name} revoked` });
                  })
                }
              >
                Revoke
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
