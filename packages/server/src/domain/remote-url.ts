/**
 * Which git remotes a project may have. Pure: no I/O. Git reads many things as a remote besides a
 * URL (`ext::<command>` runs a program, `-…` is an option, a bare path is a local repository),
 * so only plain URLs of the network transports pass, and `file://` only when an admin allows it.
 */

export class RemoteUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteUrlError';
  }
}

const NETWORK = new Set(['https:', 'http:', 'ssh:', 'git:']);
// eslint-disable-next-line no-control-regex
const CONTROL_OR_SPACE = /[\u0000-\u0020\u007f]/;

/** Returns the URL unchanged or throws RemoteUrlError saying what is wrong with it. */
export function validateRemoteUrl(raw: string, opts: { allowFile: boolean }): string {
  if (!raw) throw new RemoteUrlError('remoteUrl is empty');
  if (raw.startsWith('-')) throw new RemoteUrlError('remoteUrl must not start with "-"');
  if (/^[A-Za-z][A-Za-z0-9+.-]*::/.test(raw))
    throw new RemoteUrlError('remoteUrl must be a URL; git\'s "<transport>::" forms (ext::, fd::) are not allowed');
  if (CONTROL_OR_SPACE.test(raw)) throw new RemoteUrlError('remoteUrl must not contain spaces or control characters');
  if (/^[^/:]+@[^/:]+:/.test(raw))
    throw new RemoteUrlError('remoteUrl must be a URL: write scp-like "user@host:path" as ssh://user@host/path');
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RemoteUrlError('remoteUrl must be an https://, http://, ssh:// or git:// URL');
  }
  if (url.protocol === 'file:') {
    if (!opts.allowFile)
      throw new RemoteUrlError(
        'file:// remotes are turned off on this server (an administrator can allow them with LOCKSTEP_ALLOW_FILE_REMOTES=true)',
      );
    if (url.hostname && url.hostname !== 'localhost')
      throw new RemoteUrlError('a file:// remote must be a path on this server (file:///path)');
    return raw;
  }
  if (!NETWORK.has(url.protocol))
    throw new RemoteUrlError(`remoteUrl must be an https://, http://, ssh:// or git:// URL, not ${url.protocol}//`);
  if (!url.hostname) throw new RemoteUrlError('remoteUrl has no host');
  // ssh would read `-oProxyCommand=…` as an option (git refuses too; we refuse first).
  if (url.hostname.startsWith('-') || url.username.startsWith('-'))
    throw new RemoteUrlError('remoteUrl host and user must not start with "-"');
  if (url.pathname === '/' || url.pathname === '') throw new RemoteUrlError('remoteUrl names no repository (the path is empty)');
  return raw;
}
