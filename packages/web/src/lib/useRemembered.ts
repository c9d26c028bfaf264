import { useCallback, useState } from 'react';

/** A set of strings kept in localStorage under `key` (collapsed groups survive a reload). */
export function useRememberedSet(key: string): [ReadonlySet<string>, (next: Set<string>) => void] {
  const [value, setValue] = useState<ReadonlySet<string>>(() => {
    try {
      const raw = localStorage.getItem(key);
      return new Set(raw ? (JSON.parse(raw) as string[]) : []);
    } catch {
      return new Set();
    }
  });
  const set = useCallback(
    (next: Set<string>) => {
      setValue(next);
      try {
        localStorage.setItem(key, JSON.stringify([...next]));
      } catch {
        // private mode or full storage: the set still works for this visit
      }
    },
    [key],
  );
  return [value, set];
}
