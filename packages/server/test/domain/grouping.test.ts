import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { MISC_GROUP, groupOf, partNumberOf } from '../../src/domain/grouping.js';

describe('groupOf', () => {
  test.each([
    ['1234567_op1.mcam', '12XXXXX'],
    ['1234567.mcam', '12XXXXX'],
    ['9900000 rev B.nc', '99XXXXX'],
    ['0012345_x.tap', '00XXXXX'],
    ['12345678.step', '12XXXXX'], // starts with 7 digits (an 8th does not matter)
    ['1234567', '12XXXXX'],
  ])('%j → %s', (name, group) => {
    expect(groupOf(name)).toBe(group);
  });

  test.each([
    '123456_x',
    '123456_x.mcam',
    'x1234567.mcam',
    '_1234567.mcam',
    ' 1234567.mcam',
    '12345a7.mcam',
    '',
    'part.mcam',
    '١٢٣٤٥٦٧.mcam', // Arabic-Indic digits are not part numbers
    '１２３４５６７.mcam', // full-width digits neither
    '12-34567.mcam',
  ])('%j → Miscellaneous', (name) => {
    expect(groupOf(name)).toBe(MISC_GROUP);
    expect(MISC_GROUP).toBe('Miscellaneous');
  });

  test('property: the group is the first two digits + XXXXX exactly when the name starts with 7 ASCII digits', () => {
    fc.assert(
      fc.property(
        fc.string({ maxLength: 20 }),
        fc.string({ unit: fc.constantFrom(...'0123456789'.split('')), minLength: 7, maxLength: 7 }),
        (rest, digits) => {
          expect(groupOf(digits + rest)).toBe(`${digits.slice(0, 2)}XXXXX`);
          const g = groupOf(rest);
          if (/^[0-9]{7}/.test(rest)) expect(g).toBe(`${rest.slice(0, 2)}XXXXX`);
          else expect(g).toBe(MISC_GROUP);
        },
      ),
      { seed: 42, numRuns: 1000 },
    );
  });
});

describe('partNumberOf', () => {
  test('the leading 7 digits or null', () => {
    expect(partNumberOf('1234567_op1.mcam')).toBe('1234567');
    expect(partNumberOf('12345678.mcam')).toBe('1234567');
    expect(partNumberOf('123456_x')).toBeNull();
    expect(partNumberOf('part.mcam')).toBeNull();
    expect(partNumberOf('x1234567')).toBeNull();
  });
});
