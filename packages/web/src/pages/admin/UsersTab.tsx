import { useState, type SubmitEvent } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { api, type Role, type UpdateUserRequest, type User } from '@lockstep/protocol';
import { useMe } from '../../api/auth';
import { patch, post } from '../../api/client';
import { keys, useUsers } from '../../api/queries';
import { EmailEditor, EmailField } from '../../components/EmailField';
import { Field } from '../../components/Field';
import { fieldErrors } from '../../lib/fieldErrors';
import { Cell, StackTable } from '../../components/StackTable';
import { Badge, ErrorText, Spinner } from '../../components/ui';
import { shortTime } from '../../lib/format';
import { useSubmit } from '../../lib/useSubmit';
import { toast } from '../../realtime/stores';

const ROLES: Role[] = ['admin', 'user', 'viewer'];

function UserRow({ user, self }: { user: User; self: boolean }) {
  const qc = useQueryClient();
  const { busy, error, run } = useSubmit();
  const errs = fieldErrors(error, { email: null });
  const update = (body: UpdateUserRequest, what: string) =>
    run(async () => {
      await patch(api.user(user.id), body);
      await qc.invalidateQueries({ queryKey: keys.users });
      toast({ tone: 'success', title: `${user.username}: ${what}` });
    });
  return (
    <tr role="row" data-testid={`user-row-${user.username}`} className={user.disabled ? 'opacity-60' : ''}>
      <Cell className="font-medium">
        {user.username} {self && <span className="text-xs muted">(you)</span>}
        {errs.rest ? (
          <div className="mt-1">
            <ErrorText error={errs.rest} />
          </div>
        ) : null}
      </Cell>
      <Cell label="Role">
        <label className="sr-only" htmlFor={`role-${user.id}`}>
          Role of {user.username}
        </label>
        <select
          id={`role-${user.id}`}
          className="input w-32"
          value={user.role}
          disabled={busy || self}
          onChange={(e) => void update({ role: e.target.value as Role }, `role set to ${e.target.value}`)}
        >
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
      </Cell>
      <Cell label="Approver">
        {user.role === 'admin' ? (
          <span className="text-sm muted" title="Admins may always approve">
            always
          </span>
        ) : (
          <label className="inline-flex items-center gap-1.5 text-sm">
            <input
              type="checkbox"
              checked={user.approver}
              disabled={busy}
              aria-label={`${user.username} may approve releases`}
              onChange={(e) =>
                void update({ approver: e.target.checked }, e.target.checked ? 'may approve releases' : 'no longer approves releases')
              }
            />
            <span aria-hidden="true">{user.approver ? 'yes' : 'no'}</span>
          </label>
        )}
      </Cell>
      <Cell label="Email">
        <EmailEditor
          compact
          id={`email-${user.id}`}
          label={`Email of ${user.username}`}
          placeholder="no email"
          value={user.email}
          busy={busy}
          error={errs.of('email')}
          onSave={(email) => update({ email }, email ? `email set to ${email}` : 'email removed')}
        />
      </Cell>
      <Cell label="Status">{user.disabled ? <Badge tone="red">Disabled</Badge> : <Badge tone="green">Active</Badge>}</Cell>
      <Cell label="Created" className="text-sm muted">
        {shortTime(user.createdAt)}
      </Cell>
      <Cell className="pt-1 lg:text-right">
        <ResetPassword user={user} />{' '}
        {!self && (
          <button
            type="button"
            className={`btn btn-sm ${user.disabled ? 'btn-secondary' : 'btn-danger'}`}
            disabled={busy}
            onClick={() => void update({ disabled: !user.disabled }, user.disabled ? 'enabled' : 'disabled')}
          >
            {user.disabled ? 'Enable' : 'Disable'}
          </button>
        )}
      </Cell>
    </tr>
  );
}

/** An admin sets a new password for someone who forgot theirs; their sessions end. */
function ResetPassword({ user }: { user: User }) {
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState('');
  const { busy, error, run } = useSubmit();
  if (!open)
    return (
      <button
        type="button"
        className="btn btn-secondary btn-sm"
        onClick={() => setOpen(true)}
        aria-label={`Reset password of ${user.username}`}
      >
        Reset password
      </button>
    );
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    void run(async () => {
      await patch(api.user(user.id), { password });
      toast({ tone: 'success', title: `${user.username}: password reset`, body: 'Their sessions were signed out.' });
      setOpen(false);
      setPassword('');
    });
  };
  return (
    <form onSubmit={submit} className="inline-flex flex-wrap items-center justify-end gap-1">
      <label className="sr-only" htmlFor={`reset-${user.id}`}>
        New password for {user.username}
      </label>
      <input
        id={`reset-${user.id}`}
        className="input w-40"
        type="password"
        minLength={8}
        required
        autoComplete="new-password"
        placeholder="new password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `reset-${user.id}-error` : undefined}
      />
      <button type="submit" className="btn btn-primary btn-sm" disabled={busy}>
        Set
      </button>
      <button type="button" className="btn btn-ghost btn-sm" onClick={() => setOpen(false)}>
        Cancel
      </button>
      {/* The only field of the form: its error sits right beside it and is tied to it. */}
      {error ? <ErrorText error={error} id={`reset-${user.id}-error`} /> : null}
    </form>
  );
}

function CreateUser() {
  const qc = useQueryClient();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('user');
  const [approver, setApprover] = useState(false);
  const [email, setEmail] = useState('');
  const { busy, error, run } = useSubmit();
  const errs = fieldErrors(error, { username: /^user "/, password: null, email: null, approver: /approve/ });
  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    void run(async () => {
      await post(api.users, { username: username.trim(), password, role, approver, email: email.trim() || null });
      await qc.invalidateQueries({ queryKey: keys.users });
      toast({ tone: 'success', title: `User ${username.trim()} created` });
      setUsername('');
      setPassword('');
      setRole('user'); // the next person added is most likely a user, not another admin
      setApprover(false);
      setEmail('');
    });
  };
  return (
    <form onSubmit={submit} className="card space-y-3 p-4" aria-labelledby="create-user-title">
      <h2 id="create-user-title" className="font-semibold">
        Add a user
      </h2>
      <Field
        id="new-username"
        label="Username"
        required
        pattern="[A-Za-z0-9_.@\-]+"
        maxLength={64}
        autoComplete="off"
        value={username}
        onChange={(e) => setUsername(e.target.value)}
        error={errs.of('username')}
      />
      <Field
        id="new-password"
        label="Password"
        hint="at least 8 characters"
        type="password"
        required
        minLength={8}
        autoComplete="new-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
        error={errs.of('password')}
      />
      <Field as="select" id="new-role" label="Role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
        <option value="user">user: check out, check in, upload</option>
        <option value="viewer">viewer: read and download</option>
        <option value="admin">admin: everything</option>
      </Field>
      <EmailField
        id="new-email"
        label="Email"
        hint="optional: notifications are mailed here"
        autoComplete="off"
        value={email}
        onChange={(e) => setEmail(e.target.value)}
        error={errs.of('email')}
      />
      <label className="flex items-center gap-2 text-sm">
        <input
          type="checkbox"
          checked={approver || role === 'admin'}
          disabled={role === 'admin'}
          onChange={(e) => setApprover(e.target.checked)}
        />
        May approve releases (electronic signature){role === 'admin' ? ': admins always may' : ''}
      </label>
      {errs.of('approver') && (
        <p role="alert" className="text-xs text-rose-700 dark:text-rose-300">
          {errs.of('approver')}
        </p>
      )}
      <ErrorText error={errs.rest} />
      <button type="submit" className="btn btn-primary w-full" disabled={busy}>
        {busy ? 'Creating…' : 'Create user'}
      </button>
    </form>
  );
}

export function UsersTab() {
  const me = useMe();
  const users = useUsers();
  return (
    <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
      <div className="card relative overflow-x-auto" tabIndex={0} role="region" aria-label="Users">
        {users.isPending && (
          <div className="p-4">
            <Spinner label="Loading users" />
          </div>
        )}
        <ErrorText error={users.error} />
        <StackTable columns={['User', 'Role', 'Approver', 'Email', 'Status', 'Created', <span className="sr-only">Actions</span>]}>
          {users.data?.map((u) => (
            <UserRow key={u.id} user={u} self={u.username === me.username} />
          ))}
        </StackTable>
      </div>
      <CreateUser />
    </div>
  );
}
