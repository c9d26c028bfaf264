import { describe, expect, test } from 'vitest';
import type { Role } from '@lockstep/protocol';
import { can, type Permission } from '../../src/domain/permissions.js';
import { statusFor } from '../../src/domain/status.js';

describe('can(role, permission)', () => {
  const table: Record<Role, Record<Permission, boolean>> = {
    admin: { read: true, write: true, admin: true },
    user: { read: true, write: true, admin: false },
    viewer: { read: true, write: false, admin: false },
  };
  for (const role of Object.keys(table) as Role[]) {
    for (const perm of Object.keys(table[role]) as Permission[]) {
      test(`${role} ${table[role][perm] ? 'may' : 'may not'} ${perm}`, () => {
        expect(can(role, perm)).toBe(table[role][perm]);
      });
    }
  }
  test('an unknown role is granted nothing (throws or false, never true)', () => {
    let result: boolean | 'threw';
    try {
      result = can('root' as Role, 'read');
    } catch {
      result = 'threw';
    }
    expect(result).not.toBe(true);
  });
});

describe('statusFor(lockedBy, viewer)', () => {
  test.each([
    [null, 'alice', 'available'],
    [null, null, 'available'],
    ['alice', 'alice', 'checked_out_by_me'],
    ['alice', 'bob', 'locked'],
    ['alice', null, 'locked'],
    ['Alice', 'alice', 'locked'],
  ] as const)('lockedBy=%j viewer=%j → %s', (lockedBy, viewer, status) => {
    expect(statusFor(lockedBy, viewer)).toBe(status);
  });
});
