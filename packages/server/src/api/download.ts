import { extensionOf } from '../domain/paths.js';

const TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.txt': 'text/plain; charset=utf-8',
  '.nc': 'text/plain; charset=utf-8',
  '.tap': 'text/plain; charset=utf-8',
  '.step': 'model/step',
  '.stp': 'model/step',
  '.igs': 'model/iges',
  '.iges': 'model/iges',
  '.dxf': 'image/vnd.dxf',
};

export const contentTypeFor = (name: string): string => TYPES[extensionOf(name)] ?? 'application/octet-stream';

/** RFC 6266: an ASCII fallback plus the exact UTF-8 name. */
export function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}

/** An old revision downloads as `1234567_op2.A.nc`, so it never passes for the current one. */
export function revisionedName(name: string, revision: string | null): string {
  if (!revision) return name;
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)}.${revision}${name.slice(dot)}` : `${name}.${revision}`;
}
