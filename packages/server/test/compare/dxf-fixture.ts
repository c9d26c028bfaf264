/** Hand-written ASCII DXF (group code / value pairs) with one entity of each kind the preview draws. */
const pairs = (...kv: Array<string | number>) => {
  const out: string[] = [];
  for (let i = 0; i < kv.length; i += 2) out.push(String(kv[i]), String(kv[i + 1]));
  return out;
};

export function dxfDrawing(text = 'BRACKET <b>&"x"</b>'): string {
  const entities = [
    ...pairs(0, 'LINE', 8, 'OUTLINE', 62, 1, 10, 0, 20, 0, 30, 0, 11, 100, 21, 0, 31, 0),
    ...pairs(0, 'ARC', 8, 'OUTLINE', 10, 100, 20, 20, 30, 0, 40, 20, 50, 270, 51, 90),
    ...pairs(0, 'CIRCLE', 8, 'HOLES', 10, 30, 20, 20, 30, 0, 40, 5),
    ...pairs(0, 'LWPOLYLINE', 8, 'POCKET', 90, 4, 70, 1, 10, 50, 20, 10, 10, 70, 20, 10, 42, 0.4142, 10, 70, 20, 30, 10, 50, 20, 30),
    ...pairs(0, 'TEXT', 8, 'NOTES', 10, 5, 20, 45, 30, 0, 40, 3.5, 1, text),
    ...pairs(0, 'MTEXT', 8, 'NOTES', 10, 5, 20, 55, 30, 0, 40, 2.5, 1, '{\\fArial|b1;MATERIAL}\\P6061-T6'),
    ...pairs(0, 'INSERT', 8, '0', 2, 'HOLE', 10, 80, 20, 20, 30, 0),
  ];
  const block = pairs(
    0,
    'BLOCK',
    8,
    '0',
    2,
    'HOLE',
    70,
    0,
    10,
    0,
    20,
    0,
    30,
    0,
    3,
    'HOLE',
    0,
    'CIRCLE',
    8,
    '0',
    10,
    0,
    20,
    0,
    30,
    0,
    40,
    3,
    0,
    'ENDBLK',
  );
  return [
    ...pairs(0, 'SECTION', 2, 'BLOCKS'),
    ...block,
    ...pairs(0, 'ENDSEC', 0, 'SECTION', 2, 'ENTITIES'),
    ...entities,
    ...pairs(0, 'ENDSEC', 0, 'EOF'),
  ].join('\n');
}
