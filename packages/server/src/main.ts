import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { GitMissingError } from './vault/index.js';

/** Process entry: configuration, wiring, listen, graceful shutdown. */
async function main(): Promise<void> {
  const config = loadConfig();
  const { app, firstAdmin, close } = await buildApp(config);
  await app.listen({ port: config.port, host: config.host });
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  if (firstAdmin) {
    const how = firstAdmin.password
      ? `password: ${firstAdmin.password}  (shown once; sign in and change it under Account)`
      : 'password: the value of LOCKSTEP_ADMIN_PASSWORD';
    console.log(`\n  Lockstep created the first user.\n  Log in at ${url} as "${firstAdmin.username}", ${how}\n`);
  }
  console.log(`Lockstep listening on ${url} (API docs at ${url}/docs, data in ${config.dataDir})`);
  let closing = false;
  const shutdown = async (signal: string) => {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'shutting down');
    await close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof GitMissingError) {
    console.error(`lockstep: ${err.message}`);
  } else {
    console.error('lockstep: failed to start', err);
  }
  process.exit(1);
});
