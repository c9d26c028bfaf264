/**
 * Walks a program's blocks the way a 3-axis mill control would (Fanuc/Haas modal rules) and
 * reports each straight move: rapids, feeds, arcs flattened into chords, canned-cycle holes.
 * Rotary axes (A/B/C) are not simulated; positions are in the program's work coordinates.
 */
import type { Block } from './blocks.js';

export type Point = [number, number, number];

export interface Move {
  rapid: boolean;
  from: Point;
  to: Point;
  tool: number | null;
  /** 0-based line of the block. */
  line: number;
}

export interface MachineEvents {
  move(m: Move): void;
  /** Every G/M/T/S/F/O word as it is met, for the program facts. */
  word?(letter: string, value: number, block: Block): void;
  units?(units: 'mm' | 'inch'): void;
}

// G codes whose axis words are not a move in work coordinates.
const NON_MOTION = new Set([4, 10, 28, 30, 52, 53, 65, 92]);
const CYCLES = new Set([73, 74, 76, 81, 82, 83, 84, 85, 86, 87, 88, 89]);
/** Chord angle when flattening arcs. */
const ARC_STEP = Math.PI / 36;

export function runMachine(blocks: readonly Block[], on: MachineEvents): void {
  // null: unknown (before the first absolute move, after a reference return).
  const pos: Array<number | null> = [null, null, null];
  let absolute = true;
  let motion: number | null = null;
  let plane = 17;
  let tool: number | null = null;
  let nextTool: number | null = null;
  let cycleR: number | null = null;
  let cycleZ: number | null = null;
  let retractToR = false;

  for (const block of blocks) {
    if (!block.parsed) continue;
    const axis: Array<number | undefined> = [undefined, undefined, undefined];
    let i: number | undefined, j: number | undefined, k: number | undefined, r: number | undefined;
    let nonMotion = false;
    let toolChange = false;
    for (const w of block.words) {
      on.word?.(w.letter, w.value, block);
      switch (w.letter) {
        case 'G': {
          const g = w.value;
          if (g === 90) absolute = true;
          else if (g === 91) absolute = false;
          else if (g === 20) on.units?.('inch');
          else if (g === 21) on.units?.('mm');
          else if (g === 17 || g === 18 || g === 19) plane = g;
          else if (g === 0 || g === 1 || g === 2 || g === 3) motion = g;
          else if (g === 80) motion = null;
          else if (CYCLES.has(g)) motion = g;
          else if (g === 98) retractToR = false;
          else if (g === 99) retractToR = true;
          else if (NON_MOTION.has(g)) nonMotion = true;
          break;
        }
        case 'X':
          axis[0] = w.value;
          break;
        case 'Y':
          axis[1] = w.value;
          break;
        case 'Z':
          axis[2] = w.value;
          break;
        case 'I':
          i = w.value;
          break;
        case 'J':
          j = w.value;
          break;
        case 'K':
          k = w.value;
          break;
        case 'R':
          r = w.value;
          break;
        case 'T':
          nextTool = w.value;
          break;
        case 'M':
          if (w.value === 6) toolChange = true;
          break;
      }
    }
    // "T5 M6" and "M6 T5" both load T5; a lone "T5" on a mill only preselects it.
    if (toolChange || (tool === null && nextTool !== null)) tool = nextTool;
    const hasAxis = axis.some((a) => a !== undefined);
    if (nonMotion) {
      // G28/G30 return the named axes to a reference point: where they end up is not in work coordinates.
      if (block.words.some((w) => w.letter === 'G' && (w.value === 28 || w.value === 30 || w.value === 53))) {
        axis.forEach((a, n) => a !== undefined && (pos[n] = null));
      }
      continue;
    }
    if (!hasAxis || motion === null) continue;
    const target = axis.map<number | null>((a, n) => {
      const p = pos[n] ?? null;
      return a === undefined ? p : absolute ? a : p === null ? null : p + a;
    });
    const from = filled(pos, target);
    const to = filled(target, pos);
    if (motion === 0 || motion === 1) {
      on.move({ rapid: motion === 0, from, to, tool, line: block.line });
    } else if (motion === 2 || motion === 3) {
      arc(on, from, to, { i, j, k, r, cw: motion === 2, plane, tool, line: block.line });
    } else {
      // Canned cycle: rapid over the hole, rapid to R, feed to Z, retract.
      if (r !== undefined) cycleR = absolute ? r : from[2] + r;
      if (axis[2] !== undefined) cycleZ = absolute ? axis[2] : (cycleR ?? from[2]) + axis[2];
      const startZ = from[2];
      const over: Point = [to[0], to[1], startZ];
      on.move({ rapid: true, from, to: over, tool, line: block.line });
      const rz = cycleR ?? startZ;
      const bottom: Point = [to[0], to[1], cycleZ ?? rz];
      on.move({ rapid: true, from: over, to: [to[0], to[1], rz], tool, line: block.line });
      on.move({ rapid: false, from: [to[0], to[1], rz], to: bottom, tool, line: block.line });
      const back: Point = [to[0], to[1], retractToR ? rz : startZ];
      on.move({ rapid: true, from: bottom, to: back, tool, line: block.line });
      target[0] = to[0];
      target[1] = to[1];
      target[2] = back[2];
    }
    for (let n = 0; n < 3; n++) if (target[n] !== null) pos[n] = target[n]!;
  }
}

/** A point for drawing: unknown axes borrow the other end's value (or 0). */
function filled(p: ReadonlyArray<number | null>, other: ReadonlyArray<number | null>): Point {
  return [p[0] ?? other[0] ?? 0, p[1] ?? other[1] ?? 0, p[2] ?? other[2] ?? 0];
}

interface ArcSpec {
  i?: number;
  j?: number;
  k?: number;
  r?: number;
  cw: boolean;
  plane: number;
  tool: number | null;
  line: number;
}

/** G2/G3 as chords; centre from I/J/K (incremental, Fanuc default) or R (negative: more than 180°). */
function arc(on: MachineEvents, from: Point, to: Point, a: ArcSpec): void {
  // Plane axes (u, v) and the linear axis w: G17 XY/Z, G18 ZX/Y, G19 YZ/X.
  const [u, v, w] = a.plane === 18 ? [2, 0, 1] : a.plane === 19 ? [1, 2, 0] : [0, 1, 2];
  const offsets: Record<number, number | undefined> = { 0: a.i, 1: a.j, 2: a.k };
  const su = from[u]!,
    sv = from[v]!,
    eu = to[u]!,
    ev = to[v]!;
  let cu: number, cv: number;
  if (a.r !== undefined) {
    const dx = eu - su,
      dy = ev - sv;
    const d = Math.hypot(dx, dy);
    const rad = Math.abs(a.r);
    if (d === 0 || d > 2 * rad + 1e-9) {
      on.move({ rapid: false, from, to, tool: a.tool, line: a.line });
      return;
    }
    const h = Math.sqrt(Math.max(0, rad * rad - (d / 2) ** 2));
    // Which side of the chord the centre lies on depends on direction and the short/long arc.
    const side = (a.cw ? -1 : 1) * (a.r < 0 ? -1 : 1);
    cu = su + dx / 2 - (side * h * dy) / d;
    cv = sv + dy / 2 + (side * h * dx) / d;
  } else {
    cu = su + (offsets[u] ?? 0);
    cv = sv + (offsets[v] ?? 0);
  }
  const radius = Math.hypot(su - cu, sv - cv);
  const start = Math.atan2(sv - cv, su - cu);
  let sweep = Math.atan2(ev - cv, eu - cu) - start;
  // G18 looks along -Y, so its sense of clockwise is mirrored in (Z, X).
  const clockwise = a.plane === 18 ? !a.cw : a.cw;
  if (clockwise && sweep >= -1e-12) sweep -= 2 * Math.PI;
  if (!clockwise && sweep <= 1e-12) sweep += 2 * Math.PI;
  const steps = Math.max(1, Math.ceil(Math.abs(sweep) / ARC_STEP));
  let prev = from;
  for (let n = 1; n <= steps; n++) {
    const t = n / steps;
    const ang = start + sweep * t;
    const p: Point = [0, 0, 0];
    p[u] = n === steps ? eu : cu + radius * Math.cos(ang);
    p[v] = n === steps ? ev : cv + radius * Math.sin(ang);
    p[w] = from[w]! + (to[w]! - from[w]!) * t; // helix
    on.move({ rapid: false, from: prev, to: p, tool: a.tool, line: a.line });
    prev = p;
  }
}
