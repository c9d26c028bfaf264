/**
 * A tree Lockstep did not write (fetched by "sync now", or imported) must obey the same rules as
 * an upload before `main` may move to it: otherwise the index cannot hold it (case collisions hit
 * its unique key) or the shop's Windows stations cannot check it out. Pure: no I/O.
 */
import { collisionKey, fileFromMetaPath, META_DIR, PathError, validateFilePath } from './paths.js';

export interface TreeItem {
  path: string;
  mode: string;
  type: string;
}

/** Problems found, one line each naming the path; empty when the tree may be taken. */
export function treeProblems(
  items: readonly TreeItem[],
  metaTexts: ReadonlyMap<string, string>,
  allowedExtensions: readonly string[],
): string[] {
  const problems: string[] = [];
  const files = new Map<string, string>(); // collision key → path
  const metas: string[] = [];
  for (const item of items) {
    if (item.path === '.gitattributes') continue;
    if (item.path.startsWith(`${META_DIR}/`)) {
      metas.push(item.path);
      continue;
    }
    if (item.type !== 'blob' || item.mode === '120000') {
      problems.push(`"${item.path}" is ${item.type === 'commit' ? 'a submodule' : 'a symbolic link'}, not a file`);
      continue;
    }
    try {
      validateFilePath(item.path, allowedExtensions);
    } catch (err) {
      if (!(err instanceof PathError)) throw err;
      problems.push(`"${item.path}": ${err.message}`);
      continue;
    }
    const key = collisionKey(item.path);
    const other = files.get(key);
    if (other) problems.push(`"${item.path}" and "${other}" differ only in case`);
    else files.set(key, item.path);
  }
  // A file under a name that is a file (`part.nc/x.nc` next to `PART.NC`).
  for (const [key, path] of files) {
    const parts = key.split('/');
    for (let i = 1; i < parts.length; i++) {
      const folder = files.get(parts.slice(0, i).join('/'));
      if (folder) problems.push(`"${path}" is inside "${folder}", which is a file`);
    }
  }
  for (const metaPath of metas) {
    const file = fileFromMetaPath(metaPath);
    const text = metaTexts.get(metaPath);
    let meta: unknown = null;
    try {
      meta = text === undefined ? null : JSON.parse(text);
    } catch {
      /* reported below */
    }
    if (!file || typeof meta !== 'object' || meta === null || Array.isArray(meta)) {
      problems.push(`"${metaPath}": ${META_DIR}/ may only hold <file path>.json metadata with a JSON object`);
      continue;
    }
    const link = (meta as { link?: unknown }).link;
    if (typeof link === 'string') {
      if (!files.has(collisionKey(link))) problems.push(`"${metaPath}": the link points at "${link}", which is not a file`);
      try {
        validateFilePath(file, allowedExtensions);
      } catch (err) {
        if (!(err instanceof PathError)) throw err;
        problems.push(`"${metaPath}": ${err.message}`);
      }
    } else if (!files.has(collisionKey(file))) {
      problems.push(`"${metaPath}": metadata for "${file}", which is not a file`);
    }
  }
  return problems;
}
