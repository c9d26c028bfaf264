import { openServices } from '../lifecycle.js';
import { loadConfig } from '../config.js';
import { rebuildIndex } from '../services/index-rebuild.js';

/** `npm run rebuild-index [project…]`: rebuilds the file index from git (all projects by default). */
async function main(): Promise<void> {
  const config = loadConfig();
  const log = {
    info: () => {},
    warn: (o: object, m?: string) => console.warn(m, o),
    error: (o: object, m?: string) => console.error(m, o),
  };
  const s = await openServices(config, log);
  try {
    const wanted = process.argv.slice(2);
    const slugs = wanted.length ? wanted : (await s.db.selectFrom('projects').select('slug').execute()).map((p) => p.slug);
    for (const slug of slugs) {
      if (!(await s.vault.exists(slug))) throw new Error(`no repository for project "${slug}"`);
      const { files, ms } = await rebuildIndex(s, slug);
      console.log(`${slug}: ${files} files indexed in ${ms} ms`);
    }
  } finally {
    await s.bus.close();
    await s.db.destroy();
  }
}

main().catch((err: unknown) => {
  console.error(`rebuild-index: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
