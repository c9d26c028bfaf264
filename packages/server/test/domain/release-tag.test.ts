import { execFileSync } from 'node:child_process';
import { expect, test } from 'vitest';
import { releaseTag } from '../../src/domain/lifecycle.js';

const valid = (ref: string) => {
  try {
    execFileSync('git', ['check-ref-format', `refs/tags/${ref}`]);
    return true;
  } catch {
    return false;
  }
};

test('release tags hold the path and revision, and git accepts every one as a ref name', () => {
  expect(releaseTag('1234567_op1.nc', 'A')).toBe('released/1234567_op1.nc/A');
  expect(releaseTag('mill/fixtures/2222222_clamp.step', 'AB')).toBe('released/mill/fixtures/2222222_clamp.step/AB');
  const awkward = [
    'part one [v2].nc',
    '.hidden.nc',
    'a..b.nc',
    'x.lock',
    'trailing.',
    'tilde~caret^colon:.nc',
    'what?*.nc',
    'back\\slash.nc',
    'at@{brace}.nc',
    'prozent%20.nc',
    'Ünïcødé 部品.nc',
  ];
  const tags = awkward.map((p) => releaseTag(p, 'B'));
  for (const tag of tags) expect(valid(tag), tag).toBe(true);
  expect(new Set(tags).size).toBe(awkward.length); // escaping never merges two paths
  expect(releaseTag('prozent%20.nc', 'A')).not.toBe(releaseTag('prozent .nc', 'A'));
});
