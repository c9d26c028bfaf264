/** The API description passes Redocly's recommended rules, so generated clients and "Try it out" work. */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { startServer, type TestServer } from '../harness.js';

const run = promisify(execFile);
let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => server.close());

test('redocly lint (recommended) finds no error in /docs/json', { timeout: 120_000 }, async () => {
  const spec = (await (await fetch(`${server.url}/docs/json`)).json()) as {
    components: { schemas?: Record<string, unknown> };
    paths: Record<
      string,
      Record<string, { operationId?: string; description?: string; requestBody?: { content: Record<string, unknown> } }>
    >;
  };
  const ops = Object.values(spec.paths).flatMap((p) => Object.values(p));
  expect(ops.length).toBeGreaterThan(20);
  expect(ops.filter((o) => !o.operationId || !o.description)).toEqual([]);
  // Shared schemas are components named as in the protocol module (client generators use the names).
  expect(Object.keys(spec.components.schemas ?? {})).toEqual(expect.arrayContaining(['FileInfo', 'Project', 'User']));
  expect(Object.keys(spec.components.schemas ?? {}).filter((n) => n.startsWith('def-'))).toEqual([]);
  expect(new Set(ops.map((o) => o.operationId)).size).toBe(ops.length);
  const checkin = spec.paths['/api/projects/{project}/files/{path}/checkin']?.post;
  expect(Object.keys(checkin?.requestBody?.content ?? {})).toEqual(['multipart/form-data']);

  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'openapi-')), 'openapi.json');
  fs.writeFileSync(file, JSON.stringify(spec));
  const root = path.resolve(import.meta.dirname, '../../../..');
  const result = await run(path.join(root, 'node_modules/.bin/redocly'), ['lint', file, '--format', 'stylish'], { cwd: root }).catch(
    (err: unknown) => ({ ...(err as { stdout: string; stderr: string }), failed: true }),
  );
  expect('failed' in result ? `${result.stdout}\n${result.stderr}` : '').toBe('');
});
