import { createContext, useContext, useEffect, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, type SessionResponse, type User } from '@lockstep/protocol';
import { ApiError, get, post, setCsrfToken, setUnauthorizedHandler } from './client';
import { keys } from './queries';
import { setAllowedExtensions } from '../lib/extensions';
import { closeSocket, openSocket } from '../realtime/socket';

interface AuthValue {
  user: User | null;
  loading: boolean;
  login: (username: string, password: string) => Promise<void>;
  logout: () => Promise<void>;
}

const AuthContext = createContext<AuthValue | null>(null);

async function fetchMe(): Promise<SessionResponse | null> {
  try {
    return await get<SessionResponse>(api.me);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return null;
    throw e;
  }
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const me = useQuery({ queryKey: keys.me, queryFn: fetchMe, staleTime: Infinity, retry: 1 });
  const session = me.data ?? null;

  setCsrfToken(session?.csrfToken ?? null);
  if (session) setAllowedExtensions(session.limits.allowedExtensions);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      closeSocket();
      qc.setQueryData(keys.me, null);
    });
    return () => setUnauthorizedHandler(null);
  }, [qc]);

  useEffect(() => {
    if (session) openSocket();
    else closeSocket();
    // Keyed on the user alone: a refreshed session object for the same user keeps the socket.
  }, [session?.user.username]);

  const value: AuthValue = {
    user: session?.user ?? null,
    loading: me.isPending,
    async login(username, password) {
      const s = await post<SessionResponse>(api.login, { username, password });
      setCsrfToken(s.csrfToken);
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
      qc.setQueryData(keys.me, s);
    },
    async logout() {
      try {
        await post(api.logout);
      } finally {
        closeSocket();
        setCsrfToken(null);
        qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
        qc.setQueryData(keys.me, null);
      }
    },
  };
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthValue {
  const v = useContext(AuthContext);
  if (!v) throw new Error('useAuth outside AuthProvider');
  return v;
}

/** The signed-in user (pages below the login gate only). */
export function useMe(): User {
  const { user } = useAuth();
  if (!user) throw new Error('not signed in');
  return user;
}

export const canEdit = (u: User) => u.role !== 'viewer';
export const isAdmin = (u: User) => u.role === 'admin';
