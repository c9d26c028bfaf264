// Loose objects written by this process instead of `git hash-object` / `write-tree` /
// `commit-tree` (a git spawn costs 10–15 ms; a check-in needed eight). The format is git's:
// zlib(`<type> <size>\0<body>`) at objects/<2 hex>/<38 hex>, named by the SHA-1 of the
// uncompressed bytes. Written to a temp file in the same folder and linked into place, as git
// does, so a reader never sees half an object and an existing object is never overwritten.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

export type ObjectType = 'blob' | 'tree' | 'commit';

// git's core.looseCompression default: best speed (packs, written by gc, compress harder).
const LOOSE_LEVEL = 1;

export function objectFile(gitDir: string, sha: string): string {
  return path.join(gitDir, 'objects', sha.slice(0, 2), sha.slice(2));
}

/** The object id of `<type> <size>\0<body>` (SHA-1 repositories only; see Vault). */
export function hashObject(type: ObjectType, body: Buffer): string {
  return crypto.createHash('sha1').update(`${type} ${body.length}\0`).update(body).digest('hex');
}

/**
 * Writes one object held in memory (metadata, trees, commits); returns its id. Not fsynced here:
 * the commit that makes it reachable fsyncs everything it references first (`syncObjects`).
 */
export async function writeObject(gitDir: string, type: ObjectType, body: Buffer): Promise<string> {
  const sha = hashObject(type, body);
  const file = objectFile(gitDir, sha);
  if (await exists(file)) return sha;
  const header = Buffer.from(`${type} ${body.length}\0`);
  const deflated = await deflate(Buffer.concat([header, body]));
  await place(file, async (tmp) => fs.promises.writeFile(tmp, deflated, { flag: 'wx', mode: 0o444 }));
  return sha;
}

/**
 * Writes a file of known size as a blob, streamed: the bytes flow through SHA-1 and deflate into
 * a temp object file, so memory stays flat whatever the size. Returns the blob's id.
 */
export async function writeBlobFromFile(gitDir: string, source: string, size: number): Promise<string> {
  const header = Buffer.from(`blob ${size}\0`);
  const hash = crypto.createHash('sha1').update(header);
  const objects = path.join(gitDir, 'objects');
  const tmp = path.join(objects, `tmp_obj_${crypto.randomUUID()}`); // git's own prune removes stale tmp_obj_*
  let seen = 0;
  const tee = new Transform({
    transform(chunk: Buffer, _enc, done) {
      seen += chunk.length;
      hash.update(chunk);
      done(null, chunk);
    },
  });
  const deflater = zlib.createDeflate({ level: LOOSE_LEVEL });
  deflater.write(header);
  try {
    await pipeline(
      fs.createReadStream(source, { highWaterMark: 1 << 20 }),
      tee,
      deflater,
      fs.createWriteStream(tmp, { flags: 'wx', mode: 0o444 }),
    );
    if (seen !== size) throw new Error(`spool file changed size while hashing (${seen} != ${size} bytes)`);
    const sha = hash.digest('hex');
    const file = objectFile(gitDir, sha);
    if (!(await exists(file))) await linkInto(tmp, file);
    return sha;
  } finally {
    await fs.promises.rm(tmp, { force: true });
  }
}

/** fsync the loose objects among `shas` (packed ones are already durable), all at once. */
export async function syncObjects(gitDir: string, shas: Iterable<string>): Promise<void> {
  await Promise.all(
    [...new Set(shas)].map(async (sha) => {
      let handle: fs.promises.FileHandle;
      try {
        handle = await fs.promises.open(objectFile(gitDir, sha), 'r');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return; // in a pack
        throw err;
      }
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    }),
  );
}

/** Puts an object at `file`: a temp file in the same folder, filled by `write`, then linked into place. */
async function place(file: string, write: (tmp: string) => Promise<void>): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `tmp_obj_${crypto.randomUUID()}`);
  try {
    await write(tmp);
    await linkInto(tmp, file);
  } finally {
    await fs.promises.rm(tmp, { force: true });
  }
}

/** Hard link, never rename: an existing object is never replaced (EEXIST: the same object is there). */
async function linkInto(tmp: string, file: string): Promise<void> {
  await fs.promises.mkdir(path.dirname(file), { recursive: true });
  await fs.promises.link(tmp, file).catch((err: unknown) => {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  });
}

async function exists(file: string): Promise<boolean> {
  return fs.promises.access(file).then(
    () => true,
    () => false,
  );
}

function deflate(data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => zlib.deflate(data, { level: LOOSE_LEVEL }, (err, out) => (err ? reject(err) : resolve(out))));
}
