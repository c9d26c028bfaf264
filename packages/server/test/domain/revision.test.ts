import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { firstRevision, isRevisionLabel, nextRevision, revisionOrder } from '../../src/domain/revision.js';

describe('letters', () => {
  test('first revision is A', () => expect(firstRevision('letters')).toBe('A'));
  test.each([
    ['A', 'B'],
    ['B', 'C'],
    ['Y', 'Z'],
    ['Z', 'AA'],
    ['AA', 'AB'],
    ['AY', 'AZ'],
    ['AZ', 'BA'],
    ['BZ', 'CA'],
    ['ZY', 'ZZ'],
    ['ZZ', 'AAA'],
    ['AZZ', 'BAA'],
    ['ZZZ', 'AAAA'],
    ['ZZZZ', 'AAAAA'],
  ])('%s → %s', (from, to) => {
    expect(nextRevision(from, 'letters')).toBe(to);
  });
  test('walking from A visits spreadsheet-column labels in order', () => {
    let rev = 'A';
    const seen = [rev];
    for (let i = 0; i < 800; i++) seen.push((rev = nextRevision(rev, 'letters')));
    expect(seen[25]).toBe('Z');
    expect(seen[26]).toBe('AA');
    expect(seen[51]).toBe('AZ');
    expect(seen[52]).toBe('BA');
    expect(seen[701]).toBe('ZZ');
    expect(seen[702]).toBe('AAA');
    expect(new Set(seen).size).toBe(seen.length);
    seen.forEach((r, i) => expect(revisionOrder(r, 'letters')).toBe(i + 1));
  });
  test.each(['', 'a', 'A1', 'Ä', '-', 'A B', '1'])('rejects %j', (bad) => {
    expect(() => nextRevision(bad, 'letters')).toThrow();
  });
  test('order: B < Z < AA < AB < BA < ZZ < AAA', () => {
    const sorted = ['AAA', 'AB', 'Z', 'BA', 'B', 'ZZ', 'AA'].sort((a, b) => revisionOrder(a, 'letters') - revisionOrder(b, 'letters'));
    expect(sorted).toEqual(['B', 'Z', 'AA', 'AB', 'BA', 'ZZ', 'AAA']);
  });
  test('property: order(next(r)) = order(r) + 1', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'.split('')), minLength: 1, maxLength: 5 }), (r) => {
        const n = nextRevision(r, 'letters');
        expect(n).toMatch(/^[A-Z]+$/);
        expect(revisionOrder(n, 'letters')).toBe(revisionOrder(r, 'letters') + 1);
      }),
      { seed: 5, numRuns: 1000 },
    );
  });
  test('isRevisionLabel (letters): 1–4 capital letters', () => {
    for (const ok of ['A', 'Z', 'AA', 'ZZZZ']) expect(isRevisionLabel(ok, 'letters')).toBe(true);
    for (const no of ['', 'a', 'AAAAA', '1', 'A1', 'deadbeef', 'ABCDEF0', '-A']) expect(isRevisionLabel(no, 'letters')).toBe(false);
  });
});

describe('numeric', () => {
  test('first revision is 1', () => expect(firstRevision('numeric')).toBe('1'));
  test.each([
    ['1', '2'],
    ['9', '10'],
    ['99', '100'],
    ['41', '42'],
  ])('%s → %s', (from, to) => {
    expect(nextRevision(from, 'numeric')).toBe(to);
  });
  test.each(['0', '-1', '1.5', 'A', '', 'abc', 'NaN', 'Infinity'])('rejects %j', (bad) => {
    expect(() => nextRevision(bad, 'numeric')).toThrow();
  });
  test('order is numeric, not textual', () => {
    expect(revisionOrder('10', 'numeric')).toBeGreaterThan(revisionOrder('9', 'numeric'));
  });
  test('isRevisionLabel (numeric): 1–7 digits, no leading zero', () => {
    for (const ok of ['1', '9', '10', '1234567']) expect(isRevisionLabel(ok, 'numeric')).toBe(true);
    for (const no of ['0', '01', '12345678', 'A', '', '1.0', '-1']) expect(isRevisionLabel(no, 'numeric')).toBe(false);
  });
});
