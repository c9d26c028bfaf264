/** What compare and preview can do with a file, by its extension (and, for text, its bytes). Pure. */
import { extensionOf } from '../paths.js';

export type ContentKind = 'gcode' | 'text' | 'dxf' | 'pdf' | 'image' | 'opaque';

const NC = new Set(['.nc', '.tap', '.ngc', '.cnc', '.eia']);
const TEXT = new Set(['.txt', '.csv', '.md', '.json', '.xml', '.ini', '.log']);
export const IMAGE_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.bmp': 'image/bmp',
};
// CAM/CAD formats a browser cannot show; SVG too: an uploaded SVG can carry script, it is never served.
const OPAQUE = new Set(['.mcam', '.step', '.stp', '.igs', '.iges', '.x_t', '.sldprt', '.sldasm', '.prt', '.stl', '.svg', '.zip']);

/** The kind by extension; null when only the content can tell (text or not). */
export function kindByName(name: string): ContentKind | null {
  const ext = extensionOf(name);
  if (NC.has(ext)) return 'gcode';
  if (TEXT.has(ext)) return 'text';
  if (ext === '.dxf') return 'dxf';
  if (ext === '.pdf') return 'pdf';
  if (IMAGE_TYPES[ext]) return 'image';
  if (OPAQUE.has(ext)) return 'opaque';
  return null;
}

/** May hold G-code: NC extensions, and .txt files a post-processor wrote. */
export const mayBeGcode = (name: string) => NC.has(extensionOf(name)) || extensionOf(name) === '.txt';

/** Git's rule of thumb: a NUL byte in the first 8,000 bytes means binary. */
export const looksBinary = (bytes: Buffer) => bytes.subarray(0, 8000).includes(0);
