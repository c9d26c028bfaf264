import type { MouseEvent, ReactNode } from 'react';
import * as Menu from '@radix-ui/react-dropdown-menu';
import { isAdmin, useAuth, useMe } from '../api/auth';
import { navigate, useRoute } from '../lib/router';
import { setTheme, useTheme } from '../lib/theme';
import { useNotifications } from '../api/lifecycle';
import { ConnectionIndicator } from './ConnectionIndicator';
import { NotificationBell } from './Notifications';
import { OutageBar } from './OutageBar';
import { NoticeBanner, Toaster } from './Toaster';

/** An <a> that navigates client-side (still a real link: middle-click, copy URL work). */
export function Link({
  href,
  className,
  children,
  ...rest
}: {
  href: string;
  className?: string;
  children: ReactNode;
  'aria-current'?: 'page';
}) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} className={className} onClick={onClick} {...rest}>
      {children}
    </a>
  );
}

export function ThemeToggle() {
  const theme = useTheme();
  const next = theme === 'dark' ? 'light' : 'dark';
  return (
    <button
      type="button"
      className="btn btn-ghost btn-sm"
      onClick={() => setTheme(next)}
      aria-label={`Switch to ${next} theme`}
      title={`Switch to ${next} theme`}
    >
      {theme === 'dark' ? (
        <svg className="h-4 w-4" viewBox="0 0 20 20" fill="currentColor" aria-hidden="true">
          <path d="M10 2a1 1 0 0 1 1 1v1a1 1 0 1 1-2 0V3a1 1 0 0 1 1-1Zm4 8a4 4 0 1 1-8 0 4 4 0 0 1 8 0Zm-.46 4.95.7.71a1 1 0 0 0 1.42-1.41l-.71-.71a1 1 0 0 0-1.41 1.41Zm2.12-10.6a1 1 0 0 1 0 1.41l-.7.71a1 1 0 1 1-1.42-1.41l.71-.71a1 1 0 0 1 1.41 0ZM17 11a1 1 0 1 0 0-2h-1a1 1 0 1 0 0 2h1Zm-7 4a1 1 0 0 1 1 1v1a1 1 0 1 1-2 0v-1a1 1 0 0 1 1-1ZM5.05 6.46a1 1 0 0 0 1.41-1.41l-.7-.71a1 1 0 0 0-1.42 1.41l.71.71Zm1.41 8.49-.7.71a1 1 0 0 1-1.42-1.41l.71-.71a1 1 0 0 1 1.41 1.41ZM4 11a1 1 0 1 0 0-2H3a1 1 0 0 0 0 2h1Z" />
        </svg>
      ) : (
        <svg className="h-4 w-4" viewBox="0 0 20 20" fill="currentColor" aria-hidden="true">
          <path d="M17.29 13.29A8 8 0 0 1 6.71 2.71a8 8 0 1 0 10.58 10.58Z" />
        </svg>
      )}
    </button>
  );
}

export function Logo() {
  return (
    <span className="inline-flex items-center gap-2 font-semibold tracking-tight">
      <span className="grid h-7 w-7 place-items-center rounded-md bg-indigo-600 text-white shadow-sm">
        <svg className="h-4 w-4" viewBox="0 0 16 16" fill="currentColor" aria-hidden="true">
          <path d="M5 7V5a3 3 0 1 1 6 0v2h.5A1.5 1.5 0 0 1 13 8.5v5a1.5 1.5 0 0 1-1.5 1.5h-7A1.5 1.5 0 0 1 3 13.5v-5A1.5 1.5 0 0 1 4.5 7H5Zm1.5 0h3V5a1.5 1.5 0 0 0-3 0v2Z" />
        </svg>
      </span>
      Lockstep <span className="hidden font-normal muted sm:inline">PDM</span>
    </span>
  );
}

function NavLink({ href, active, children }: { href: string; active: boolean; children: ReactNode }) {
  return (
    <Link
      href={href}
      aria-current={active ? 'page' : undefined}
      className={`rounded-md px-3 py-1.5 text-sm font-medium ${
        active
          ? 'bg-slate-100 text-slate-900 dark:bg-slate-800 dark:text-white'
          : 'text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-white'
      }`}
    >
      {children}
    </Link>
  );
}

const itemClass =
  'flex w-full cursor-pointer items-center rounded px-3 py-2 text-sm outline-none data-[highlighted]:bg-slate-100 dark:data-[highlighted]:bg-slate-800';

/** The phone header's menu (Radix: keyboard, touch and screen readers alike). */
function PhoneMenu({ admin, onSignOut }: { admin: boolean; onSignOut: () => void }) {
  const me = useMe();
  const theme = useTheme();
  const next = theme === 'dark' ? 'light' : 'dark';
  const unread = useNotifications().data?.unread ?? 0;
  return (
    <Menu.Root>
      <Menu.Trigger className="btn btn-secondary btn-sm md:hidden" aria-label="Menu">
        <svg className="h-4 w-4" viewBox="0 0 20 20" fill="none" stroke="currentColor" strokeWidth="2" aria-hidden="true">
          <path d="M3 5h14M3 10h14M3 15h14" />
        </svg>
        Menu
      </Menu.Trigger>
      <Menu.Portal>
        <Menu.Content align="end" sideOffset={6} className="card z-50 w-60 max-w-[calc(100vw-1rem)] p-1 shadow-lg" data-testid="phone-menu">
          <Menu.Label className="px-3 py-2 text-xs muted">
            Signed in as <span className="font-medium">{me.username}</span> · {me.role}
          </Menu.Label>
          <Menu.Item className={itemClass} onSelect={() => navigate('/')}>
            Projects
          </Menu.Item>
          <Menu.Item className={itemClass} onSelect={() => navigate('/dashboard')}>
            Dashboard
          </Menu.Item>
          <Menu.Item className={itemClass} onSelect={() => navigate('/notifications')}>
            Notifications
            {unread > 0 && (
              <span className="ml-auto rounded-full bg-rose-600 px-1.5 text-xs font-bold text-white" data-testid="menu-unread-count">
                {unread}
              </span>
            )}
          </Menu.Item>
          {admin && (
            <Menu.Item className={itemClass} onSelect={() => navigate('/admin/users')}>
              Admin
            </Menu.Item>
          )}
          <Menu.Item className={itemClass} onSelect={() => navigate('/account')}>
            Account and API tokens
          </Menu.Item>
          <Menu.Item className={itemClass} onSelect={() => window.open('/docs', '_blank', 'noopener')}>
            API docs
          </Menu.Item>
          <Menu.Separator className="my-1 h-px bg-slate-200 dark:bg-slate-800" />
          <Menu.Item className={itemClass} onSelect={() => setTheme(next)}>
            Switch to {next} theme
          </Menu.Item>
          <Menu.Item className={itemClass} onSelect={onSignOut}>
            Sign out
          </Menu.Item>
        </Menu.Content>
      </Menu.Portal>
    </Menu.Root>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const me = useMe();
  const { logout } = useAuth();
  const route = useRoute();
  return (
    <div className="flex min-h-screen flex-col">
      <a href="#main" className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 btn btn-primary">
        Skip to content
      </a>
      <header className="sticky top-0 z-30 border-b border-slate-200 bg-white/90 backdrop-blur dark:border-slate-800 dark:bg-slate-900/90">
        <div className="mx-auto flex h-14 max-w-screen-2xl items-center gap-2 px-3 sm:gap-3 sm:px-6">
          <Link href="/" className="mr-1 shrink-0 rounded-md">
            <Logo />
          </Link>
          <nav aria-label="Main" className="hidden items-center gap-1 md:flex">
            <NavLink href="/" active={route.name === 'projects' || route.name === 'project'}>
              Projects
            </NavLink>
            <NavLink href="/dashboard" active={route.name === 'dashboard'}>
              Dashboard
            </NavLink>
            {isAdmin(me) && (
              <NavLink href="/admin/users" active={route.name === 'admin'}>
                Admin
              </NavLink>
            )}
          </nav>
          <div className="ml-auto flex min-w-0 items-center gap-2">
            <ConnectionIndicator />
            <NotificationBell />
            <span className="hidden md:inline-flex">
              <ThemeToggle />
            </span>
            <a
              href="/docs"
              target="_blank"
              rel="noreferrer"
              className="hidden text-sm text-slate-600 hover:underline lg:inline dark:text-slate-300"
            >
              API docs
            </a>
            <span className="hidden md:inline" data-testid="current-user">
              <Link href="/account" className="whitespace-nowrap rounded-md px-2 py-1 text-sm hover:bg-slate-100 dark:hover:bg-slate-800">
                {/* The role only where there is room: at 768 px it wrapped the header onto three lines. */}
                <span className="font-medium">{me.username}</span> <span className="muted hidden lg:inline">· {me.role}</span>
              </Link>
            </span>
            <button type="button" className="btn btn-secondary btn-sm hidden md:inline-flex" onClick={() => void logout()}>
              Sign out
            </button>
            <PhoneMenu admin={isAdmin(me)} onSignOut={() => void logout()} />
          </div>
        </div>
      </header>
      <OutageBar />
      <NoticeBanner />
      <main id="main" className="mx-auto w-full max-w-screen-2xl min-w-0 flex-1 px-3 py-4 sm:px-6 sm:py-6">
        {children}
      </main>
      <Toaster />
    </div>
  );
}
