/** Files of a project's git repository that are not vault files (never indexed, never locked). */
export const GIT_ATTRIBUTES = '.gitattributes';

/** `.gitattributes` marking every allowed extension `lockable`: files are read-only until `git lfs lock`. */
export function lockableAttributes(extensions: readonly string[]): string {
  const lines = extensions.map((ext) => {
    const glob = [...ext.slice(1)].map((c) => (/[a-z]/.test(c) ? `[${c}${c.toUpperCase()}]` : c)).join('');
    return `*.${glob} lockable -text`;
  });
  return `# Written by Lockstep: checked-out (locked) files are writable, all others read-only.\n# Lock with: git lfs lock <path>   Release with: git lfs unlock <path>\n${lines.join('\n')}\n`;
}
