import { useSyncExternalStore } from 'react';
import { ApiError } from '../api/client';

/**
 * The file extensions the server accepts: its configured list arrives with the session
 * (`limits`); until then the server's default, and a refusal that names the list updates it too.
 */
let allowed = ['.mcam', '.nc', '.tap', '.step', '.stp', '.igs', '.iges', '.dxf', '.pdf', '.txt'];
const listeners = new Set<() => void>();

export function useAllowedExtensions(): readonly string[] {
  return useSyncExternalStore(
    (fn) => {
      listeners.add(fn);
      return () => listeners.delete(fn);
    },
    () => allowed,
  );
}

/** The session's limits name the configured list. */
export function setAllowedExtensions(list: readonly string[]): void {
  if (list.join() === allowed.join()) return;
  allowed = [...list];
  listeners.forEach((fn) => fn());
}

const REFUSED = /extension "([^"]*)" is not allowed \(allowed: ([^)]*)\)/;
const EXISTS = /^"(.+)" already exists$/;

export type UploadProblem =
  | { kind: 'extension'; message: string }
  | { kind: 'exists'; path: string; message: string }
  | { kind: 'path'; message: string }
  | { kind: 'other'; message: string };

/** How the server words a broken path rule (services/file-common.ts). */
const BAD_PATH = /^invalid path: /;

/** A failed upload in words for people; learns the allowed list from an extension refusal. */
export function uploadProblem(err: unknown): UploadProblem {
  const raw = err instanceof Error ? err.message : String(err);
  const message = raw.replace(BAD_PATH, '');
  const refused = err instanceof ApiError ? REFUSED.exec(message) : null;
  if (refused) {
    const list = refused[2]!.split(/\s+/).filter(Boolean);
    setAllowedExtensions(list);
    return { kind: 'extension', message: `Only CNC/CAD files are accepted: ${list.join(' ')}` };
  }
  const exists = err instanceof ApiError && err.status === 409 ? EXISTS.exec(message) : null;
  if (exists) return { kind: 'exists', path: exists[1]!, message: 'already exists — check it out to change it' };
  const human = message.charAt(0).toUpperCase() + message.slice(1);
  if (err instanceof ApiError && BAD_PATH.test(raw)) return { kind: 'path', message: human };
  return { kind: 'other', message: human };
}
