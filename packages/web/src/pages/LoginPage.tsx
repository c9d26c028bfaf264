import { useState, type FormEvent } from 'react';
import { useAuth } from '../api/auth';
import { ErrorText } from '../components/ui';
import { Logo, ThemeToggle } from '../components/Layout';

export function LoginPage() {
  const { login } = useAuth();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(username.trim(), password);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

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
          <div>
            <label htmlFor="username" className="label">
              Username
            </label>
            <input id="username" className="input" autoComplete="username" autoFocus required value={username} onChange={(e) => setUsername(e.target.value)} />
          </div>
          <div>
            <label htmlFor="password" className="label">
              Password
            </label>
            <input id="password" type="password" className="input" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
          </div>
          <ErrorText error={error} />
          <button type="submit" className="btn btn-primary w-full py-2" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
      </main>
    </div>
  );
}
