// Tree objects in memory: parse, apply a commit's changes, serialise — what `read-tree`,
// `update-index --index-info` and `write-tree` did, for only the folders on the changed paths.
// Names are kept as latin1 strings, i.e. git's raw bytes, so names written by other git clients
// (any encoding) round-trip unchanged and sort byte-wise as git requires.
import { PathConflictError, PathNotFoundError } from './errors.js';
import type { TreeChange } from './types.js';

export interface TreeEntry {
  /** As written in the tree: '40000' (folder), '100644', '100755', '120000', '160000'. */
  mode: string;
  /** Raw bytes as latin1. */
  name: string;
  sha: string;
}

export const TREE_MODE = '40000';
const FILE_MODE = '100644';
const EMPTY_TREE_BYTES = Buffer.alloc(0);

const isTree = (e: { mode: string }) => e.mode === TREE_MODE;
const isBlob = (e: { mode: string }) => e.mode !== TREE_MODE && e.mode !== '160000';

export function parseTree(body: Buffer): TreeEntry[] {
  const entries: TreeEntry[] = [];
  let at = 0;
  while (at < body.length) {
    const space = body.indexOf(0x20, at);
    const nul = body.indexOf(0, space);
    if (space < 0 || nul < 0 || nul + 21 > body.length) throw new Error('malformed tree object');
    entries.push({
      mode: body.toString('latin1', at, space),
      name: body.toString('latin1', space + 1, nul),
      sha: body.toString('hex', nul + 1, nul + 21),
    });
    at = nul + 21;
  }
  return entries;
}

/** git's order: byte-wise by name, a folder compared as if its name ended in '/'. */
export function serializeTree(entries: Iterable<TreeEntry>): Buffer {
  const sorted = [...entries].sort((a, b) => {
    const ka = isTree(a) ? `${a.name}/` : a.name;
    const kb = isTree(b) ? `${b.name}/` : b.name;
    return ka < kb ? -1 : ka > kb ? 1 : 0;
  });
  if (!sorted.length) return EMPTY_TREE_BYTES;
  return Buffer.concat(sorted.flatMap((e) => [Buffer.from(`${e.mode} ${e.name}\0`, 'latin1'), Buffer.from(e.sha, 'hex')]));
}

/** A folder being edited: entries by raw name; `children` holds the sub-folders opened so far. */
interface Folder {
  entries: Map<string, TreeEntry>;
  children: Map<string, Folder>;
  dirty: boolean;
}

export interface TreeStore {
  read(sha: string): Promise<TreeEntry[]>;
  write(entries: TreeEntry[]): Promise<string>;
}

const raw = (segment: string) => Buffer.from(segment, 'utf8').toString('latin1');

/**
 * The root tree after `changes` on top of `rootSha` (null: empty repository). Checks first, on the
 * parent tree as it was, what `headAndCheck` checked: a delete names an existing file; a put does
 * not turn a file into a folder or a folder into a file. Then applies the changes in order and
 * writes the folders that changed, deepest first.
 */
export async function applyChanges(store: TreeStore, rootSha: string | null, changes: TreeChange[]): Promise<string> {
  const open = async (sha: string | null): Promise<Folder> => ({
    entries: new Map(sha ? (await store.read(sha)).map((e) => [e.name, e]) : []),
    children: new Map(),
    dirty: false,
  });
  const root = await open(rootSha);
  const child = async (folder: Folder, name: string): Promise<Folder | null> => {
    const cached = folder.children.get(name);
    if (cached) return cached;
    const entry = folder.entries.get(name);
    if (!entry || !isTree(entry)) return null;
    const opened = await open(entry.sha);
    folder.children.set(name, opened);
    return opened;
  };

  // Checks against the parent tree (no change applied yet).
  for (const c of changes) {
    const parts = c.path.split('/').map(raw);
    let folder: Folder | null = root;
    for (let i = 0; i < parts.length - 1 && folder; i++) {
      const entry = folder.entries.get(parts[i]!);
      if (c.op === 'put' && entry && isBlob(entry))
        throw new PathConflictError(
          c.path,
          c.path
            .split('/')
            .slice(0, i + 1)
            .join('/'),
        );
      folder = await child(folder, parts[i]!);
    }
    const leaf = folder?.entries.get(parts[parts.length - 1]!);
    if (c.op === 'delete' && !(leaf && isBlob(leaf))) throw new PathNotFoundError(c.path);
    if (c.op === 'put' && leaf && isTree(leaf)) throw new PathConflictError(c.path, c.path);
  }

  for (const c of changes) {
    const parts = c.path.split('/').map(raw);
    const name = parts.pop()!;
    let folder = root;
    folder.dirty = true;
    let missing = false;
    for (const part of parts) {
      let next = await child(folder, part);
      if (!next) {
        if (c.op === 'delete') {
          missing = true;
          break;
        }
        // A put through a path that is not a folder (yet): the folder is created (replacing a file, as update-index does).
        next = { entries: new Map(), children: new Map(), dirty: true };
        folder.entries.set(part, { mode: TREE_MODE, name: part, sha: '' });
        folder.children.set(part, next);
      }
      folder = next;
      folder.dirty = true;
    }
    if (missing) continue;
    if (c.op === 'put') {
      folder.entries.set(name, { mode: FILE_MODE, name, sha: c.blob });
      folder.children.delete(name);
    } else {
      folder.entries.delete(name);
    }
  }
  return (await writeFolder(store, root))!;
}

/**
 * Writes a changed folder after its changed sub-folders. An empty sub-folder disappears (the index
 * has no empty folders): null. The root is always written (the empty tree when nothing is left).
 */
async function writeFolder(store: TreeStore, folder: Folder, isRoot = true): Promise<string | null> {
  for (const [name, sub] of folder.children) {
    const entry = folder.entries.get(name);
    if (!sub.dirty || !entry || !isTree(entry)) continue; // untouched, or replaced by a file meanwhile
    const sha = await writeFolder(store, sub, false);
    if (sha === null) folder.entries.delete(name);
    else folder.entries.set(name, { ...entry, sha });
  }
  if (!isRoot && folder.entries.size === 0) return null;
  return store.write([...folder.entries.values()]);
}
