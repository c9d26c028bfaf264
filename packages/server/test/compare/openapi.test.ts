import { afterAll, beforeAll, expect, test } from 'vitest';
import { startServer, type TestServer } from '../harness.js';

let server: TestServer;
beforeAll(async () => (server = await startServer()));
afterAll(async () => server.close());

test('the OpenAPI document describes diff and preview with operation ids', async () => {
  const res = await fetch(`${server.url}/docs/json`);
  expect(res.status).toBe(200);
  const doc = (await res.json()) as { paths: Record<string, Record<string, { operationId?: string; description?: string }>> };
  const diff = doc.paths['/api/projects/{project}/files/{path}/diff']?.get;
  const preview = doc.paths['/api/projects/{project}/files/{path}/preview']?.get;
  expect([diff?.operationId, preview?.operationId]).toEqual(['diffFile', 'previewFile']);
  expect(diff?.description).toContain('ignoreFormatting');
});
