// The pre-receive hook receive-pack runs for pushes from git clients. It holds the push in
// quarantine and asks the server (over loopback TCP, with a one-time secret) whether the ref
// update may happen; it prints the server's answer on the client's terminal ("remote: ...").
import { promises as fs } from 'node:fs';
import path from 'node:path';

/** What the hook sends; the object directories let the server read the quarantined objects. */
export interface HookRequest {
  secret: string;
  /** receive-pack's stdin: `<old> <new> <ref>` lines. */
  updates: string;
  objectDir: string;
  alternates: string;
}

export interface HookAnswer {
  ok: boolean;
  /** Printed by the hook on stderr, which git relays to the client. */
  message: string;
}

/**
 * bash, for its /dev/tcp: connects to the loopback channel, sends the secret, the quarantine's
 * object directories and the ref updates, then relays the verdict. A failure to connect refuses.
 */
const HOOK_SCRIPT = `#!/bin/bash
# Written by Lockstep at start; edits are overwritten.
if ! exec 3<>"/dev/tcp/127.0.0.1/\${LOCKSTEP_PUSH_PORT}"; then
  echo "lockstep: could not check this push; nothing was changed" >&2
  exit 1
fi
{
  printf '%s\\n%s\\n%s\\n' "\${LOCKSTEP_PUSH_SECRET}" "\${GIT_OBJECT_DIRECTORY}" "\${GIT_ALTERNATE_OBJECT_DIRECTORIES}"
  cat
  printf '.\\n'
} >&3
IFS= read -r verdict <&3
cat <&3 >&2
[ "\${verdict}" = ok ]
`;

/** Writes the hook into `dir` (atomically: several instances may share the data folder); returns the dir for core.hooksPath. */
export async function installPushHook(dir: string): Promise<string> {
  await fs.mkdir(dir, { recursive: true });
  await writeAtomic(path.join(dir, 'pre-receive'), HOOK_SCRIPT, 0o755);
  return dir;
}

async function writeAtomic(file: string, content: string, mode: number): Promise<void> {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await fs.writeFile(tmp, content, { mode });
  await fs.chmod(tmp, mode);
  await fs.rename(tmp, file);
}
