/** Preview one revision of a file in a browser: what it can show, converted where needed, nothing active. */
import type { Toolpath } from '@lockstep/protocol';
import { IMAGE_TYPES, kindByName, looksBinary } from '../domain/compare/file-kind.js';
import { DxfError, dxfToSvg } from '../domain/dxf/to-svg.js';
import { looksLikeGcode, readProgram, toolpathOf } from '../domain/gcode/index.js';
import { baseName, extensionOf } from '../domain/paths.js';
import type { Services } from './context.js';
import { AppError } from './errors.js';
import { requireProject } from './file-common.js';
import { historyPath, resolveRevision } from './history.js';
import { revisionBytes } from './revision-content.js';

export type PreviewAs = 'auto' | 'text' | 'toolpath';

export type Preview =
  | { kind: 'inline'; contentType: string; body: Buffer | NodeJS.ReadableStream; size: number; name: string; commit: string; sha: string }
  | { kind: 'toolpath'; body: Toolpath; name: string; commit: string; sha: string };

const unsupported = (message: string) => new AppError(415, 'unsupported_media_type', message);
const unprocessable = (message: string) => new AppError(422, 'unprocessable', message);

export async function previewFile(
  s: Services,
  slug: string,
  rawPath: string,
  rev: string | undefined,
  as: PreviewAs = 'auto',
): Promise<Preview> {
  await requireProject(s, slug);
  const path = await historyPath(s, slug, rawPath);
  const commit = await resolveRevision(s, slug, path, rev);
  const name = baseName(path);
  const kind = kindByName(name);
  if (kind === 'opaque') throw unsupported(`${extensionOf(name)} files cannot be shown in a browser; download the file instead`);
  if (as === 'toolpath' && kind !== 'gcode' && kind !== 'text' && kind !== null) throw unsupported(`${name} is not an NC program`);

  if (kind === 'pdf' || kind === 'image') {
    // Not parsed, so not capped: streamed as stored.
    const blob = await s.vault.readBlob(slug, commit, path);
    if (!blob) throw new AppError(404, 'not_found', `"${path}" does not exist at ${rev ?? 'the current revision'}`);
    const contentType = kind === 'pdf' ? 'application/pdf' : IMAGE_TYPES[extensionOf(name)]!;
    return { kind: 'inline', contentType, body: blob.stream, size: blob.size, name, commit, sha: blob.sha };
  }

  const content = await revisionBytes(s, slug, commit, path, true);
  const bytes = content.bytes!;
  const base = { name, commit, sha: content.sha };
  if (looksBinary(bytes)) throw unsupported(`${name} is binary; download the file instead`);
  if (kind === 'dxf' && as !== 'text') {
    try {
      const svg = Buffer.from(dxfToSvg(bytes.toString('utf8')).svg);
      return { ...base, kind: 'inline', contentType: 'image/svg+xml', body: svg, size: svg.length };
    } catch (err) {
      if (err instanceof DxfError) throw unprocessable(err.message);
      throw err;
    }
  }
  if (as === 'toolpath') {
    const program = readProgram(bytes.toString('utf8'));
    if (!looksLikeGcode(program)) throw unprocessable(`${name} does not read as a G-code program`);
    return { ...base, kind: 'toolpath', body: toolpathOf(program) };
  }
  return { ...base, kind: 'inline', contentType: 'text/plain; charset=utf-8', body: bytes, size: bytes.length };
}
