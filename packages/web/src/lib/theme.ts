import { createStore, useStore } from './store';

export type Theme = 'light' | 'dark';
const KEY = 'lockstep-theme';

function initial(): Theme {
  try {
    const t = localStorage.getItem(KEY);
    if (t === 'light' || t === 'dark') return t;
  } catch {
    /* storage unavailable */
  }
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

const themeStore = createStore<Theme>(initial());
document.documentElement.classList.toggle('dark', themeStore.get() === 'dark');

export function setTheme(t: Theme): void {
  themeStore.set(t);
  document.documentElement.classList.toggle('dark', t === 'dark');
  try {
    localStorage.setItem(KEY, t);
  } catch {
    /* storage unavailable */
  }
}

export const useTheme = () => useStore(themeStore);
