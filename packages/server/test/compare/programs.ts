/** Real-looking NC programs for the compare tests: a Fanuc-style mill program and variants of it. */

/** Fanuc 0i style: O number, safety line, two tools, a pocket with arcs, a drill cycle. */
export const FANUC = `%
O1234 (BRACKET OP1)
(T5 = 10MM ENDMILL, T12 = 6.8 DRILL)
N10 G21 G17 G40 G49 G80 G90
N20 G91 G28 Z0.
N30 T5 M06 (10MM 3FL CARBIDE)
N40 G90 G54 G00 X-5. Y-5. S8000 M03
N50 G43 H05 Z25. M08
N60 Z2.
N70 G01 Z-3. F200.
N80 X40. F500.
N90 G03 X50. Y5. I0. J10.
N100 G01 Y30.
N110 G02 X40. Y40. R10.
N120 G01 X0.
N130 Y0.
N140 G00 Z25.
N150 M09
N160 G91 G28 Z0.
N170 T12 M06 (6.8 DRILL)
N180 G90 G54 G00 X10. Y10. S2500 M03
N190 G43 H12 Z25. M08
N200 G99 G81 Z-12. R2. F150.
N210 X30.
N220 X30. Y30.
N230 G80
N240 G00 Z25. M09
N250 G91 G28 Z0.
N260 M30
%
`;

/** The same program renumbered, re-commented and re-formatted, as another post or a hand edit would write it. */
export function reformatted(program: string): string {
  let n = 0;
  return program
    .split('\n')
    .map((line) => {
      if (line.startsWith('(')) return '; header comment rewritten';
      let l = line.replace(/\([^)]*\)/g, '(changed note)');
      l = l.replace(/^N\d+/, () => `N${(n += 5)}`);
      l = l.replace(/([XYZIJRF])(-?)(\d+)\.(?!\d)/g, (_m, a: string, s: string, d: string) => `${a}${s}${d}.000`);
      l = l.replace(/G0([0-3])\b/g, 'G$1').replace(/M0(\d)\b/g, 'M$1');
      return l.toLowerCase().replace(/ /g, n % 2 ? '' : '  ');
    })
    .flatMap((l, i) => (i % 7 === 3 ? [l, ''] : [l]))
    .join('\r\n');
}
