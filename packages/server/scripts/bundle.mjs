// Bundles the server (src/main.ts and what it imports, node_modules included) into dist/main.js,
// over tsc's copy of that one file: the process `npm start` runs then loads one script instead of
// ~900 module files (resolution and compilation of each was most of the start-up time). The rest
// of dist/ (tsc's output) stays for the CLI, and tsc's main.js is kept as dist/main-unbundled.js
// (same behaviour, loads dist/ module by module). Native addons stay external.
// `node scripts/bundle.mjs [outfile]`: another place (the bundle test builds its own copy).
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = path.resolve(process.argv[2] ?? path.join(root, 'dist/main.js'));
const BANNER_MARK = '// lockstep bundle';

/**
 * Packages that find their own files by __dirname (swagger-ui's static assets, for one) get it
 * back: each such module's __dirname is its folder in node_modules, found from the bundle's place
 * at run time, so the bundle keeps working wherever the checkout is.
 */
const dirnameOfModule = {
  name: 'dirname-of-module',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/].*\.c?js$/ }, async (args) => {
      const source = await fs.promises.readFile(args.path, 'utf8');
      if (!/\b__(dirname|filename)\b/.test(source)) return undefined;
      const rel = path.relative(path.dirname(outfile), args.path).split(path.sep).join('/');
      const prologue = `var __filename = __bundleFile(${JSON.stringify(rel)}), __dirname = __bundleDir(__filename);`;
      return { contents: `${prologue}\n${source}`, loader: 'js', resolveDir: path.dirname(args.path) };
    });
  },
};

const banner = [
  BANNER_MARK,
  "import { createRequire as __bundleCreateRequire } from 'node:module';",
  "import { dirname as __bundleDirname, join as __bundleJoin } from 'node:path';",
  "import { fileURLToPath as __bundleFileURLToPath } from 'node:url';",
  // CommonJS modules in the bundle require Node's built-ins and the external packages through this.
  'const require = __bundleCreateRequire(import.meta.url);',
  'const __bundleAt = __bundleDirname(__bundleFileURLToPath(import.meta.url));',
  'const __bundleFile = (rel) => __bundleJoin(__bundleAt, rel);',
  'const __bundleDir = (file) => __bundleDirname(file);',
].join('\n');

const tscMain = path.join(root, 'dist/main.js');
if (outfile === tscMain && fs.existsSync(tscMain) && !fs.readFileSync(tscMain, 'utf8').startsWith(BANNER_MARK)) {
  const unbundled = fs
    .readFileSync(tscMain, 'utf8')
    .replace(/sourceMappingURL=main\.js\.map\s*$/, 'sourceMappingURL=main-unbundled.js.map\n');
  fs.writeFileSync(path.join(root, 'dist/main-unbundled.js'), unbundled);
  if (fs.existsSync(`${tscMain}.map`)) fs.copyFileSync(`${tscMain}.map`, path.join(root, 'dist/main-unbundled.js.map'));
}

await build({
  entryPoints: [path.join(root, 'src/main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // Native addons, and pg's optional native binding.
  external: ['better-sqlite3', '@node-rs/argon2', 'pg-native'],
  banner: { js: banner },
  plugins: [dirnameOfModule],
  sourcemap: 'linked',
  logLevel: 'warning',
});
