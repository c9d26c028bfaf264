/** Files of a project's git repository that are not vault files (never indexed, never locked). */
export const GIT_ATTRIBUTES = '.gitattributes';

/** `.gitattributes` marking every allowed extension `lockable`: files are read-only until `git lfs lock`. */
export function lockableAttributes(extensions: readonly string[]): string {
  const lines = extensions.map((ext) => {
    // git matches case-sensitively; CAD stations write .MCAM as often as .mcam.
    const glob = ext.slice(1).replace(/[a-z]/g, (c) => `[${c}${c.toUpperCase()}]`);
    return `*.${glob} lockable -text`;
  });
  return `# Written by Lockstep: checked-out (locked) files are writable, all others read-only.\n# Lock with: git lfs lock <path>   Release with: git lfs unlock <path>\n${lines.join('\n')}\n`;
}
