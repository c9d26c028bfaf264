import type { ErrorBody } from '@lockstep/protocol';
import { lockText } from '../lib/format';

/** An API failure: HTTP status, the server's error code, and (on 409 lock_conflict) the holder. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly holder?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

let csrfToken: string | null = null;
let onUnauthorized: (() => void) | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}
/** Called when a request comes back 401 (session expired): the app drops to the login page. */
export function setUnauthorizedHandler(fn: (() => void) | null): void {
  onUnauthorized = fn;
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function toError(status: number, body: unknown): ApiError {
  const err = (body as Partial<ErrorBody> | null)?.error;
  if (err && typeof err.code === 'string') {
    // The server says "checked out by maria since <ISO>": tell it in local time, once.
    const since = /\d{4}-\d\d-\d\dT[\d:.]+Z/.exec(err.message)?.[0];
    const message = err.code === 'lock_conflict' && err.holder ? lockText(err.holder, since) : err.message;
    return new ApiError(status, err.code, message, err.holder);
  }
  const fallback: Record<number, string> = {
    401: 'Your session has expired. Please sign in again.',
    403: 'You do not have permission to do that.',
    404: 'Not found.',
    413: 'The file is too large.',
    429: 'Too many requests. Wait a moment and try again.',
  };
  return new ApiError(status, `http_${status}`, fallback[status] ?? `The server answered ${status}.`);
}

function parse(text: string): unknown {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function handle401(status: number, url: string): void {
  if (status === 401 && !url.includes('/auth/')) onUnauthorized?.();
}

/** JSON request. Adds the CSRF header on state-changing methods; throws ApiError on failure. */
export async function request<T>(method: string, url: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (UNSAFE.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
    });
  } catch {
    throw new ApiError(0, 'network', 'Cannot reach the server. Check your connection and try again.');
  }
  const data = parse(await res.text());
  if (!res.ok) {
    handle401(res.status, url);
    throw toError(res.status, data);
  }
  return data as T;
}

export const get = <T>(url: string) => request<T>('GET', url);
export const post = <T>(url: string, body?: unknown) => request<T>('POST', url, body);
export const patch = <T>(url: string, body: unknown) => request<T>('PATCH', url, body);
export const del = <T>(url: string) => request<T>('DELETE', url);

/** Build `url?k=v…`, skipping empty values. */
export function withQuery(url: string, params: Record<string, string | number | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${url}?${s}` : url;
}

/**
 * Multipart upload through XMLHttpRequest so the caller gets upload progress (0…1).
 * Text fields must be appended to `form` before the `file` part (the server streams it).
 */
export function upload<T>(url: string, form: FormData, onProgress?: (fraction: number) => void, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Accept', 'application/json');
    if (csrfToken) xhr.setRequestHeader('X-CSRF-Token', csrfToken);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total);
    };
    xhr.onload = () => {
      const data = parse(xhr.responseText);
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress?.(1);
        resolve(data as T);
      } else {
        handle401(xhr.status, url);
        reject(toError(xhr.status, data));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'The upload failed: the server could not be reached.'));
    xhr.onabort = () => reject(new ApiError(0, 'aborted', 'Upload cancelled.'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(form);
  });
}

export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
