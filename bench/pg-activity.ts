import pg from 'pg';

/**
 * What PostgreSQL's backends are doing while a benchmark runs: pg_stat_activity sampled every
 * 20 ms (state and wait event of each backend of the database), and the transactions committed
 * meanwhile (pg_stat_database), to set against the HTTP requests served.
 */
export async function startActivityProbe(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const counts = new Map<string, number>();
  let samples = 0;
  const stats = async () =>
    (
      await client.query<{ xact_commit: string; tup_fetched: string; tup_inserted: string; tup_updated: string; tup_deleted: string }>(
        'SELECT xact_commit, tup_fetched, tup_inserted, tup_updated, tup_deleted FROM pg_stat_database WHERE datname = current_database()',
      )
    ).rows[0]!;
  const before = await stats();
  const state = { running: true };
  const loop = (async () => {
    while (state.running) {
      const { rows } = await client.query<{ what: string; n: string }>(
        `SELECT coalesce(state, '?') || coalesce(' / ' || wait_event_type || ':' || wait_event, '') AS what, count(*) AS n
           FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'
          GROUP BY 1`,
      );
      samples++;
      for (const r of rows) counts.set(r.what, (counts.get(r.what) ?? 0) + Number(r.n));
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  return {
    /** Average backends per state over the run, and the deltas of the database counters. */
    async stop(requests: number) {
      state.running = false;
      await loop;
      const after = await stats();
      await client.end();
      const delta = (k: keyof typeof after) => Number(after[k]) - Number(before[k]);
      const perState = Object.fromEntries(
        [...counts].sort((a, b) => b[1] - a[1]).map(([k, n]) => [k, Math.round((n / samples) * 100) / 100]),
      );
      return {
        'avg backends by state': perState,
        'transactions per HTTP request': Math.round((delta('xact_commit') / requests) * 100) / 100,
        'rows fetched per request': Math.round((delta('tup_fetched') / requests) * 10) / 10,
        'rows written per request':
          Math.round(((delta('tup_inserted') + delta('tup_updated') + delta('tup_deleted')) / requests) * 10) / 10,
      };
    },
  };
}
