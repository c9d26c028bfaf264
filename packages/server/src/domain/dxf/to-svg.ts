/**
 * A DXF drawing as an SVG we write ourselves: only paths and text, every string escaped, nothing
 * from the upload copied through as markup. Curves are flattened so block inserts (scaled,
 * rotated) stay exact. Drawn light-on-dark like a CAD screen. Pure: no I/O.
 */
/* eslint-disable @typescript-eslint/no-unnecessary-condition -- the parser's types promise fields that a hand-made or truncated DXF lacks */
import dxfParser, {
  type IArcEntity,
  type ICircleEntity,
  type IDxf,
  type IEllipseEntity,
  type IEntity,
  type IInsertEntity,
  type ILineEntity,
  type ILwpolylineEntity,
  type IMtextEntity,
  type IPoint,
  type IPolylineEntity,
  type ISplineEntity,
  type ITextEntity,
} from 'dxf-parser';

// The package's main is a UMD bundle whose exports ARE the class; its types describe an ES module.
const DxfParser = dxfParser as unknown as typeof dxfParser.default;

export class DxfError extends Error {}

/** Affine 2D transform [a b c d e f]: x' = a x + c y + e, y' = b x + d y + f. */
type Matrix = [number, number, number, number, number, number];
const IDENTITY: Matrix = [1, 0, 0, 1, 0, 0];
const STEP = Math.PI / 36;
const MAX_ELEMENTS = 200_000;
const MAX_DEPTH = 8;

const mul = (m: Matrix, n: Matrix): Matrix => [
  m[0] * n[0] + m[2] * n[1],
  m[1] * n[0] + m[3] * n[1],
  m[0] * n[2] + m[2] * n[3],
  m[1] * n[2] + m[3] * n[3],
  m[0] * n[4] + m[2] * n[5] + m[4],
  m[1] * n[4] + m[3] * n[5] + m[5],
];

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const fmt = (n: number) => (Number.isFinite(n) ? String(Math.round(n * 1e4) / 1e4) : '0');

function colour(e: IEntity, dxf: IDxf): string {
  const layers = dxf.tables?.layer?.layers ?? {};
  // 256 = BYLAYER (dxf-parser leaves colour unset then); 0 = BYBLOCK.
  const c = typeof e.color === 'number' && e.colorIndex !== 256 && e.colorIndex !== 0 ? e.color : layers[e.layer]?.color;
  if (typeof c !== 'number' || c === 0) return '#e5e7eb';
  return `#${(c & 0xffffff).toString(16).padStart(6, '0')}`;
}

function arcPoints(cx: number, cy: number, r: number, start: number, end: number): Array<[number, number]> {
  let sweep = end - start;
  while (sweep <= 0) sweep += 2 * Math.PI;
  const n = Math.max(2, Math.ceil(sweep / STEP));
  return Array.from({ length: n + 1 }, (_, i) => {
    const a = start + (sweep * i) / n;
    return [cx + r * Math.cos(a), cy + r * Math.sin(a)] as [number, number];
  });
}

/** Polyline vertices with bulges (tan of a quarter of the included angle, positive = CCW). */
function bulgePoints(vertices: ReadonlyArray<IPoint & { bulge?: number }>, closed: boolean): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const count = closed ? vertices.length : vertices.length - 1;
  if (vertices.length) out.push([vertices[0]!.x, vertices[0]!.y]);
  for (let i = 0; i < count; i++) {
    const p = vertices[i]!;
    const q = vertices[(i + 1) % vertices.length]!;
    const b = p.bulge ?? 0;
    if (!b) {
      out.push([q.x, q.y]);
      continue;
    }
    const theta = 4 * Math.atan(b);
    const chord = Math.hypot(q.x - p.x, q.y - p.y);
    if (chord === 0) continue;
    const r = chord / (2 * Math.sin(Math.abs(theta) / 2));
    const mx = (p.x + q.x) / 2,
      my = (p.y + q.y) / 2;
    const h = Math.sqrt(Math.max(0, r * r - (chord / 2) ** 2)) * Math.sign(b) * (Math.abs(theta) > Math.PI ? -1 : 1);
    const cx = mx - (h * (q.y - p.y)) / chord,
      cy = my + (h * (q.x - p.x)) / chord;
    const a0 = Math.atan2(p.y - cy, p.x - cx);
    const n = Math.max(2, Math.ceil(Math.abs(theta) / STEP));
    for (let k = 1; k <= n; k++) {
      const a = a0 + (theta * k) / n;
      out.push(k === n ? [q.x, q.y] : [cx + r * Math.cos(a), cy + r * Math.sin(a)]);
    }
  }
  return out;
}

interface Drawing {
  parts: string[];
  min: [number, number];
  max: [number, number];
  counts: Record<string, number>;
}

function draw(entities: readonly IEntity[], dxf: IDxf, m: Matrix, out: Drawing, depth: number): void {
  for (const e of entities) {
    if (out.parts.length > MAX_ELEMENTS) throw new DxfError(`drawing has more than ${MAX_ELEMENTS} elements`);
    if ((e.visible as boolean | undefined) === false || e.inPaperSpace) continue;
    const stroke = colour(e, dxf);
    const path = (kind: string, pts: Array<[number, number]>, closed = false) => {
      if (pts.length < 2) return;
      const d = pts
        .map(([x, y], i) => {
          const X = m[0] * x + m[2] * y + m[4];
          const Y = m[1] * x + m[3] * y + m[5];
          extend(out, X, Y);
          return `${i ? 'L' : 'M'}${fmt(X)} ${fmt(-Y)}`;
        })
        .join('');
      out.parts.push(`<path class="${kind}" stroke="${stroke}" d="${d}${closed ? 'Z' : ''}"/>`);
      out.counts[kind] = (out.counts[kind] ?? 0) + 1;
    };
    switch (e.type) {
      case 'LINE': {
        const v = (e as ILineEntity).vertices;
        if (v.length >= 2)
          path(
            'line',
            v.map((p) => [p.x, p.y]),
          );
        break;
      }
      case 'ARC': {
        const a = e as IArcEntity;
        path('arc', arcPoints(a.center.x, a.center.y, a.radius, a.startAngle, a.endAngle));
        break;
      }
      case 'CIRCLE': {
        const c = e as ICircleEntity;
        path('circle', arcPoints(c.center.x, c.center.y, c.radius, 0, 2 * Math.PI), true);
        break;
      }
      case 'LWPOLYLINE':
      case 'POLYLINE': {
        const p = e as ILwpolylineEntity | IPolylineEntity;
        path('polyline', bulgePoints(p.vertices, p.shape), p.shape);
        break;
      }
      case 'ELLIPSE': {
        const el = e as IEllipseEntity;
        const ax = el.majorAxisEndPoint;
        const rot = Math.atan2(ax.y, ax.x);
        const ra = Math.hypot(ax.x, ax.y);
        const rb = ra * el.axisRatio;
        let sweep = (el.endAngle ?? 2 * Math.PI) - (el.startAngle ?? 0);
        while (sweep <= 0) sweep += 2 * Math.PI;
        const n = Math.max(8, Math.ceil(sweep / STEP));
        const pts = Array.from({ length: n + 1 }, (_, i) => {
          const t = (el.startAngle ?? 0) + (sweep * i) / n;
          const x = ra * Math.cos(t),
            y = rb * Math.sin(t);
          return [el.center.x + x * Math.cos(rot) - y * Math.sin(rot), el.center.y + x * Math.sin(rot) + y * Math.cos(rot)] as [
            number,
            number,
          ];
        });
        path('ellipse', pts);
        break;
      }
      case 'SPLINE': {
        // The control polygon through fit points when present: close enough for a preview.
        const sp = e as ISplineEntity;
        const pts = sp.fitPoints?.length ? sp.fitPoints : (sp.controlPoints ?? []);
        path(
          'spline',
          pts.map((p) => [p.x, p.y]),
          sp.closed,
        );
        break;
      }
      case 'TEXT':
      case 'MTEXT': {
        const t = e as ITextEntity & IMtextEntity;
        const at = e.type === 'TEXT' ? t.startPoint : t.position;
        const height = (e.type === 'TEXT' ? t.textHeight : t.height) || 2.5;
        const raw = e.type === 'TEXT' ? t.text : mtextPlain(t.text ?? '');
        if (!at || !raw) break;
        const X = m[0] * at.x + m[2] * at.y + m[4];
        const Y = m[1] * at.x + m[3] * at.y + m[5];
        const scale = Math.hypot(m[0], m[1]);
        const angle = (t.rotation ?? 0) + (Math.atan2(m[1], m[0]) * 180) / Math.PI;
        extend(out, X, Y);
        extend(out, X + height * scale * raw.length * 0.6, Y + height * scale);
        const lines = raw.split('\n');
        const tspans = lines
          .map((l, i) => `<tspan x="${fmt(X)}" dy="${i ? fmt(height * scale * 1.3) : 0}">${escapeXml(l)}</tspan>`)
          .join('');
        out.parts.push(
          `<text class="text" fill="${stroke}" font-size="${fmt(height * scale)}" x="${fmt(X)}" y="${fmt(-Y)}"${angle ? ` transform="rotate(${fmt(-angle)} ${fmt(X)} ${fmt(-Y)})"` : ''}>${tspans}</text>`,
        );
        out.counts.text = (out.counts.text ?? 0) + 1;
        break;
      }
      case 'INSERT': {
        const ins = e as IInsertEntity;
        const block = dxf.blocks?.[ins.name];
        if (!block?.entities?.length || depth >= MAX_DEPTH) break;
        const r = ((ins.rotation ?? 0) * Math.PI) / 180;
        const sx = ins.xScale ?? 1,
          sy = ins.yScale ?? 1;
        const base = block.position ?? { x: 0, y: 0 };
        const local: Matrix = [Math.cos(r) * sx, Math.sin(r) * sx, -Math.sin(r) * sy, Math.cos(r) * sy, ins.position.x, ins.position.y];
        const shifted = mul(local, [1, 0, 0, 1, -base.x, -base.y]);
        draw(block.entities, dxf, mul(m, shifted), out, depth + 1);
        break;
      }
      default:
        out.counts.skipped = (out.counts.skipped ?? 0) + 1;
    }
  }
}

function extend(out: Drawing, x: number, y: number) {
  if (!Number.isFinite(x) || !Number.isFinite(y)) return;
  if (x < out.min[0]) out.min[0] = x;
  if (y < out.min[1]) out.min[1] = y;
  if (x > out.max[0]) out.max[0] = x;
  if (y > out.max[1]) out.max[1] = y;
}

/** MTEXT formatting codes out: \P is a new line, {\fArial;…} and \H2.5; groups are styling. */
function mtextPlain(s: string): string {
  return s
    .replace(/\\P/g, '\n')
    .replace(/\\[A-Za-z][^;\\{}]*;/g, '')
    .replace(/\\([\\{}])/g, '$1')
    .replace(/[{}]/g, '');
}

export interface DxfSvg {
  svg: string;
  counts: Record<string, number>;
}

export function dxfToSvg(text: string): DxfSvg {
  let dxf: IDxf | null;
  try {
    dxf = new DxfParser().parseSync(text);
  } catch (err) {
    throw new DxfError(`not a readable DXF file: ${(err as Error).message}`);
  }
  if (!dxf || !Array.isArray(dxf.entities) || !/\bENTITIES\b/.test(text))
    throw new DxfError('not a readable DXF file: no ENTITIES section');
  const out: Drawing = { parts: [], min: [Infinity, Infinity], max: [-Infinity, -Infinity], counts: {} };
  draw(dxf.entities, dxf, IDENTITY, out, 0);
  const empty = out.min[0] === Infinity;
  const [x0, y0] = empty ? [0, 0] : out.min;
  const [x1, y1] = empty ? [100, 100] : out.max;
  const pad = Math.max(x1 - x0, y1 - y0, 1) * 0.04;
  const viewBox = [x0 - pad, -y1 - pad, x1 - x0 + 2 * pad, y1 - y0 + 2 * pad].map(fmt).join(' ');
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${viewBox}" preserveAspectRatio="xMidYMid meet">` +
    `<style>path{vector-effect:non-scaling-stroke}</style>` +
    `<rect x="${fmt(x0 - pad)}" y="${fmt(-y1 - pad)}" width="${fmt(x1 - x0 + 2 * pad)}" height="${fmt(y1 - y0 + 2 * pad)}" fill="#0f172a"/>` +
    `<g fill="none" stroke-width="1.2" stroke-linecap="round" stroke-linejoin="round" font-family="sans-serif">` +
    out.parts.join('') +
    `</g></svg>`;
  return { svg, counts: out.counts };
}
