/** Commit author; Lockstep uses `${username}@lockstep.local` as the email. */
export interface Author {
  name: string;
  email: string;
}

/** One change to the tree: `blob` is an object id returned by writeBlob/writeBlobBuffer. */
export type TreeChange = { op: 'put'; path: string; blob: string } | { op: 'delete'; path: string };

export interface CommitInput {
  changes: TreeChange[];
  author: Author;
  message: string;
  /** Written as `Key: value` lines after a blank line; read back by `log`. */
  trailers: Record<string, string>;
  /** Author and committer date; defaults to now. */
  date?: Date;
}

export interface CommitRecord {
  commit: string;
  parents: string[];
  authorName: string;
  authorEmail: string;
  /** ISO 8601, UTC. */
  date: string;
  /** First line of the message. */
  subject: string;
  /** The whole message without the trailer block. */
  body: string;
  trailers: Record<string, string>;
}

export interface TreeEntry {
  path: string;
  sha: string;
  size: number;
}

export interface BlobRead {
  stream: NodeJS.ReadableStream;
  size: number;
  sha: string;
}
