import { api } from '@lockstep/protocol';
import { loginAs } from '../packages/server/test/harness.js';
import { request } from './util.js';
const url = 'http://127.0.0.1:3999';
const admin = await loginAs(url, 'admin', 'admin-password-1');
await admin.post(api.projects, { slug: 'bench', name: 'bench' });
for (let i = 0; i < 32; i++) await admin.upload('bench', `${1000000 + i}_op.nc`, `G0 X${i}`);
await new Promise((r) => setTimeout(r, 2000));
const h = admin.headers();
const until = Date.now() + 10000; let n = 0;
await Promise.all(Array.from({ length: 32 }, async (_, i) => {
  const p = `${1000000 + i}_op.nc`;
  while (Date.now() < until) {
    await request(`${url}${api.fileAction('bench', p, 'checkout')}`, 'POST', h, '{}');
    await request(`${url}${api.fileAction('bench', p, 'cancel')}`, 'POST', h, '{}');
    n++;
  }
}));
console.log('cycles/s', n / 10);
