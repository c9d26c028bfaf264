import { useState, type SubmitEvent } from 'react';
import { useAuth } from '../api/auth';
import { Field } from '../components/Field';
import { ErrorText } from '../components/ui';
import { Logo, ThemeToggle } from '../components/Layout';
import { useSubmit } from '../lib/useSubmit';

export function LoginPage() {
  const { login } = useAuth();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useSubmit();

  const submit = (e: SubmitEvent) => {
    e.preventDefault();
    void run(() => login(username.trim(), password));
  };

  return (
    <div className="relative grid min-h-screen place-items-center bg-gradient-to-br from-slate-100 via-slate-50 to-indigo-50 px-4 dark:from-slate-950 dark:via-slate-950 dark:to-indigo-950/40">
      <div className="absolute top-4 right-4">
        <ThemeToggle />
      </div>
      <main className="w-full max-w-sm">
        <div className="mb-6 flex justify-center text-lg">
          <Logo />
        </div>
        <form onSubmit={submit} className="card space-y-4 p-6" aria-labelledby="login-title">
          <div>
            <h1 id="login-title" className="text-lg font-semibold">
              Sign in
            </h1>
            <p className="text-sm muted">Check out, check in and track every CNC and CAD file.</p>
          </div>
          <Field
            id="username"
            label="Username"
            autoComplete="username"
            autoFocus
            required
            value={username}
            onChange={(e) => setUsername(e.target.value)}
          />
          <Field
            id="password"
            label="Password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <ErrorText error={error} />
          <button type="submit" className="btn btn-primary w-full py-2" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </main>
    </div>
  );
}
