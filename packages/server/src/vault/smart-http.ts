// Git's own smart-HTTP services (upload-pack for clone/fetch, receive-pack for push), run on a
// project's bare repository with an allow-listed environment.
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawnGit } from './git.js';

export type GitService = 'upload-pack' | 'receive-pack';

export interface ServiceOptions {
  /** `--advertise-refs`: the `info/refs` answer instead of serving a request. */
  advertise: boolean;
  /** The client's `Git-Protocol` header (e.g. `version=2`), already checked by the caller. */
  protocol?: string;
  /** `-c key=value` settings for this run only. */
  config?: Array<[string, string]>;
  /** Extra environment for the service and its hooks. */
  env?: Record<string, string>;
}

/** `Git-Protocol` values git itself sends: `version=2`, possibly with more `:`-separated key=value pairs. */
export function validProtocolHeader(value: string | undefined): string | undefined {
  if (!value || value.length > 256 || !/^[A-Za-z0-9=:._-]+$/.test(value)) return undefined;
  return value;
}

export function spawnService(service: GitService, gitDir: string, opts: ServiceOptions): ChildProcessWithoutNullStreams {
  const args = [
    ...(opts.config ?? []).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
    service,
    '--stateless-rpc',
    ...(opts.advertise ? ['--advertise-refs'] : []),
    gitDir,
  ];
  const env: Record<string, string> = { ...opts.env };
  if (opts.protocol) env.GIT_PROTOCOL = opts.protocol;
  return spawnGit(args, { env });
}

/** One pkt-line (`0008abc\n` style); `0000` is written by the caller as the flush packet. */
export function pktLine(text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  return Buffer.concat([Buffer.from((body.length + 4).toString(16).padStart(4, '0')), body]);
}
