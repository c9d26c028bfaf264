import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { DEFAULT_EXTENSIONS } from '../../src/config.js';
import {
  MAX_PATH_LENGTH,
  MAX_SEGMENT_LENGTH,
  META_DIR,
  PathError,
  baseName,
  collisionKey,
  extensionOf,
  fileFromMetaPath,
  metaPathFor,
  validateFilePath,
} from '../../src/domain/paths.js';

const EXT = DEFAULT_EXTENSIONS;
const valid = (p: string) => validateFilePath(p, EXT);
const rejects = (p: string) => {
  let thrown: unknown = null;
  try {
    valid(p);
  } catch (err) {
    thrown = err;
  }
  return thrown;
};

describe('validateFilePath: accepted paths', () => {
  const accepted: string[] = [
    'part.mcam',
    '1234567_op1.mcam',
    'folder/part.nc',
    'a/b/c/d/e/part.tap',
    'Part With Spaces.step',
    'part.STP', // extensions are case-insensitive
    'PART.MCAM',
    'x.igs',
    'x.iges',
    'x.dxf',
    'x.pdf',
    'x.txt',
    'café.txt',
    'Ünïcødé/日本語.pdf',
    'a.b.c.mcam',
    '.hidden.txt', // a leading dot is allowed (only "." and ".." are special)
    'sub/.lockstep/x.txt', // only the top-level .lockstep folder is reserved
    'con1.txt',
    'console.txt',
    'lpt0.txt',
    'com0.nc',
    'file-name_(1)[2]{3}#4%5&6+7=8;9,0.mcam',
    `${'a'.repeat(MAX_SEGMENT_LENGTH - 5)}.mcam`, // exactly 255
  ];
  test.each(accepted)('accepts %j unchanged', (p) => {
    expect(valid(p)).toBe(p);
  });

  test('accepts a path of exactly MAX_PATH_LENGTH characters', () => {
    const seg = 'a'.repeat(200);
    let p = '';
    while (p.length + seg.length + 1 < MAX_PATH_LENGTH - 10) p += `${seg}/`;
    p += 'b'.repeat(MAX_PATH_LENGTH - p.length - 5) + '.mcam';
    expect(p.length).toBe(MAX_PATH_LENGTH);
    expect(valid(p)).toBe(p);
  });

  test('honours a custom extension list (lower-case with a dot)', () => {
    expect(validateFilePath('x.foo', ['.foo'])).toBe('x.foo');
    expect(validateFilePath('x.FOO', ['.foo'])).toBe('x.FOO');
    expect(() => validateFilePath('x.mcam', ['.foo'])).toThrow(PathError);
  });
});

describe('validateFilePath: rejected paths', () => {
  const rejected: Array<[string, string, RegExp]> = [
    ['empty', '', /empty/],
    ['parent', '../x.mcam', /"\." or "\.\."/],
    ['parent in middle', 'a/../x.mcam', /"\." or "\.\."/],
    ['parent at end', 'a/..', /"\." or "\.\."/],
    ['only dots', '..', /"\." or "\.\."/],
    ['dot segment', './x.mcam', /"\." or "\.\."/],
    ['dot in middle', 'a/./x.mcam', /"\." or "\.\."/],
    ['absolute', '/etc/passwd.txt', /relative/],
    ['absolute root', '/x.mcam', /relative/],
    ['drive letter', 'C:\\x.mcam', /control|backslash|relative/],
    ['drive letter slash', 'C:/x.mcam', /relative/],
    ['drive letter lower', 'c:x.mcam', /relative/],
    ['UNC', '\\\\server\\share\\x.mcam', /backslash/],
    ['backslash', 'a\\x.mcam', /backslash/],
    ['backslash traversal', '..\\..\\x.mcam', /backslash/],
    ['NUL', 'a\u0000.mcam', /control/],
    ['NUL before ext', 'x.mcam\u0000.txt', /control/],
    ['newline', 'a\nb.mcam', /control/],
    ['CR', 'a\rb.mcam', /control/],
    ['tab', 'a\tb.mcam', /control/],
    ['escape', 'a\u001bb.mcam', /control/],
    ['DEL', 'a\u007fb.mcam', /control/],
    ['double slash', 'a//x.mcam', /empty folder/],
    ['trailing slash', 'a/x.mcam/', /empty folder/],
    ['too long path', `${'a/'.repeat(510)}xxxx.mcam`, /longer than 1024/],
    ['too long segment', `${'a'.repeat(MAX_SEGMENT_LENGTH - 4)}.mcam`, /longer than 255/],
    ['.lockstep folder', '.lockstep/x.txt', /reserved/],
    ['.lockstep upper', '.LOCKSTEP/x.txt', /reserved/],
    ['.lockstep meta json', '.lockstep/part.mcam.json', /reserved|extension/],
    ['.git folder', '.git/config.txt', /reserved/],
    ['.GIT folder', '.GIT/hooks/x.txt', /reserved/],
    ['CON', 'con.mcam', /reserved name on Windows/],
    ['CON upper', 'CON.txt', /reserved name on Windows/],
    ['PRN', 'prn.nc', /reserved name on Windows/],
    ['AUX in folder', 'a/aux.tap', /reserved name on Windows/],
    ['NUL name', 'nul.txt', /reserved name on Windows/],
    ['COM1', 'com1.txt', /reserved name on Windows/],
    ['LPT9', 'LPT9.pdf', /reserved name on Windows/],
    ['reserved folder', 'con/x.mcam', /reserved name on Windows/],
    ['lt', 'a<b.mcam', /not allowed/],
    ['gt', 'a>b.mcam', /not allowed/],
    ['colon', 'ab:c.mcam', /not allowed/],
    ['NTFS stream', 'x.mcam:stream.txt', /not allowed/],
    ['quote', 'a"b.mcam', /not allowed/],
    ['pipe', 'a|b.mcam', /not allowed/],
    ['question', 'a?.mcam', /not allowed/],
    ['star', '*.mcam', /not allowed/],
    ['leading space', ' x.mcam', /space/],
    ['trailing space', 'x.mcam ', /space/],
    ['folder trailing space', 'a /x.mcam', /space/],
    ['trailing dot', 'x.mcam.', /dot/],
    ['folder trailing dot', 'a./x.mcam', /dot/],
    ['no extension', 'Makefile', /extension/],
    ['only extension', '.mcam', /extension/],
    ['disallowed ext', 'x.exe', /extension/],
    ['disallowed ext sh', 'x.sh', /extension/],
    ['double ext', 'x.mcam.exe', /extension/],
    ['folder only', 'folder', /extension/],
    ['html', 'x.html', /extension/],
  ];
  test.each(rejected)('rejects %s', (_name, p, message) => {
    const err = rejects(p);
    expect(err).toBeInstanceOf(PathError);
    expect((err as Error).name).toBe('PathError');
    expect((err as Error).message).toMatch(message);
  });

  test('rejects non-strings with PathError', () => {
    expect(() => validateFilePath(undefined as unknown as string, EXT)).toThrow(PathError);
    expect(() => validateFilePath(null as unknown as string, EXT)).toThrow(PathError);
    expect(() => validateFilePath(42 as unknown as string, EXT)).toThrow(PathError);
  });

  // Git, and every client that clones, refuses a ".git" component at any depth.
  test('rejects a ".git" folder at any depth', () => {
    expect(rejects('sub/.git/x.txt')).toBeInstanceOf(PathError);
    expect(rejects('a/b/.GIT/hooks/x.txt')).toBeInstanceOf(PathError);
  });

  test('rejects C1 control characters (U+0080–U+009F)', () => {
    for (const c of ['\u0080', '\u0085', '\u009b', '\u009f']) expect(rejects(`a${c}b.mcam`)).toBeInstanceOf(PathError);
  });
});

describe('validateFilePath: seeded fuzz', () => {
  // Pieces that make hostile paths likely, mixed with arbitrary text.
  const piece = fc.oneof(
    fc.constantFrom(
      '',
      '.',
      '..',
      '/',
      '//',
      '\\',
      '%2e%2e',
      '%2f',
      'C:',
      'c:\\',
      '\u0000',
      '\n',
      '\t',
      '\u001f',
      '\u007f',
      '.git',
      '.GIT',
      '.lockstep',
      'con',
      'CON',
      'nul',
      'com1',
      'lpt9',
      ' ',
      '.',
      '.mcam',
      '.MCAM',
      '.txt',
      '.exe',
      ':',
      '*',
      '?',
      '<',
      '>',
      '|',
      '"',
      'a',
      'part',
      '1234567',
      'é',
      'e\u0301',
      '日本',
      '\ud800',
      '\u202e',
    ),
    fc.string({ maxLength: 8 }),
    fc.string({ unit: 'binary', maxLength: 6 }),
  );
  const hostile = fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(''));
  // Hostile text ending in an allowed extension reaches the accepting branch often.
  const withExt = fc.tuple(hostile, fc.constantFrom(...EXT, '.MCAM')).map(([p, e]) => p + e);
  const anyString = fc.oneof(hostile, withExt, withExt, fc.string({ unit: 'binary', maxLength: 40 }), fc.string({ maxLength: 1300 }));

  test('never throws anything but PathError; accepted paths are safe', () => {
    let acceptedCount = 0;
    fc.assert(
      fc.property(anyString, (raw) => {
        let out: string;
        try {
          out = valid(raw);
        } catch (err) {
          expect(err).toBeInstanceOf(PathError);
          return;
        }
        acceptedCount++;
        expect(out).toBe(raw);
        const segments = out.split('/');
        expect(segments).not.toContain('..');
        expect(segments).not.toContain('.');
        expect(segments).not.toContain('');
        // eslint-disable-next-line no-control-regex -- control characters are what this asserts against
        expect(out).not.toMatch(/[\u0000-\u001f\u007f]/);
        expect(out).not.toContain('\\');
        expect(out.startsWith('/')).toBe(false);
        expect(out).not.toMatch(/^[A-Za-z]:/);
        expect(out.length).toBeLessThanOrEqual(MAX_PATH_LENGTH);
        for (const s of segments) expect(s.length).toBeLessThanOrEqual(MAX_SEGMENT_LENGTH);
        expect(segments[0]!.toLowerCase()).not.toBe(META_DIR);
        expect(segments[0]!.toLowerCase()).not.toBe('.git');
        expect(EXT).toContain(extensionOf(baseName(out)));
        // Idempotent: the canonical form validates to itself.
        expect(valid(out)).toBe(out);
      }),
      { seed: 20240611, numRuns: 3000 },
    );
    // The generator must actually reach the accepting branch, or the property proves nothing.
    expect(acceptedCount).toBeGreaterThan(20);
  });

  test('paths built from safe segments are always accepted', () => {
    const safeChar = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-()'.split(''));
    const seg = fc.string({ unit: safeChar, minLength: 1, maxLength: 30 }).filter((s) => !/^(con|prn|aux|nul|com[1-9]|lpt[1-9])$/i.test(s));
    fc.assert(
      fc.property(fc.array(seg, { maxLength: 5 }), seg, fc.constantFrom(...EXT), (folders, name, ext) => {
        const p = [...folders, name + ext].join('/');
        expect(valid(p)).toBe(p);
      }),
      { seed: 7, numRuns: 500 },
    );
  });

  test('any path with a ".." segment is refused', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'x.mcam'), { maxLength: 4 }),
        fc.array(fc.constantFrom('a', 'x.mcam'), { maxLength: 4 }),
        (before, after) => {
          expect(() => valid([...before, '..', ...after, 'x.mcam'].join('/'))).toThrow(PathError);
        },
      ),
      { seed: 11, numRuns: 300 },
    );
  });
});

describe('path helpers', () => {
  test('extensionOf', () => {
    expect(extensionOf('x.MCAM')).toBe('.mcam');
    expect(extensionOf('a.b.Nc')).toBe('.nc');
    expect(extensionOf('.mcam')).toBe('');
    expect(extensionOf('noext')).toBe('');
    expect(extensionOf('trailing.')).toBe('.');
  });
  test('baseName', () => {
    expect(baseName('a/b/c.mcam')).toBe('c.mcam');
    expect(baseName('c.mcam')).toBe('c.mcam');
  });
  test('collisionKey folds case and Unicode normalisation', () => {
    expect(collisionKey('Part.MCAM')).toBe(collisionKey('part.mcam'));
    expect(collisionKey('Sub/X.nc')).toBe(collisionKey('sub/x.NC'));
    expect(collisionKey('cafe\u0301.txt')).toBe(collisionKey('caf\u00e9.txt'));
    expect(collisionKey('CAFE\u0301.TXT')).toBe(collisionKey('caf\u00e9.txt'));
    expect(collisionKey('a.mcam')).not.toBe(collisionKey('b.mcam'));
    expect(collisionKey('a/b.mcam')).not.toBe(collisionKey('a_b.mcam'));
  });
  test('metaPathFor / fileFromMetaPath round-trip', () => {
    expect(metaPathFor('a/b.mcam')).toBe('.lockstep/a/b.mcam.json');
    expect(fileFromMetaPath('.lockstep/a/b.mcam.json')).toBe('a/b.mcam');
    expect(fileFromMetaPath('a/b.mcam.json')).toBeNull();
    expect(fileFromMetaPath('.lockstep/a/b.mcam')).toBeNull();
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 50 }), (p) => {
        expect(fileFromMetaPath(metaPathFor(p))).toBe(p);
      }),
      { seed: 3, numRuns: 300 },
    );
  });
});
