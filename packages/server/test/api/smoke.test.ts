import { afterAll, beforeAll, expect, test } from 'vitest';
import { api } from '@lockstep/protocol';
import { startServer, type TestServer } from '../harness.js';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => server?.close());

test('smoke: health, project, upload, checkout, checkin', async () => {
  const h = await fetch(`${server.url}${api.health}`);
  expect(await h.json()).toEqual({ status: 'ok' });
  await server.createProject('p1');
  const up = await server.admin.upload('p1', '1234567_op1.mcam', 'hello', { description: 'op 1' });
  expect(up.status, up.text).toBe(201);
  expect(up.body.group).toBe('12XXXXX');
  const co = await server.admin.checkout('p1', '1234567_op1.mcam', 'fixing');
  expect(co.status, co.text).toBe(200);
  const ci = await server.admin.checkin('p1', '1234567_op1.mcam', 'hello v2', { message: 'new feed rate' });
  expect(ci.status, ci.text).toBe(200);
  expect(ci.body.revision).toBe('B');
});
