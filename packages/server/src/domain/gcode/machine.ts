/**
 * Walks a program's blocks the way a 3-axis mill control would (Fanuc/Haas modal rules) and
 * reports each straight move: rapids, feeds, arcs flattened into chords, canned-cycle holes.
 * Rotary axes (A/B/C) are not simulated; positions are in the program's work coordinates.
 *
 * The walk reads the program's flat word arrays and reports moves through reused buffers: no
 * allocation per block or per move (a CAM program has one move per line, 10⁵ of them).
 */
import type { Program } from './blocks.js';

/** X, Y, Z. */
export type Point = Float64Array;

export interface MachineEvents {
  /** One straight move. `from` and `to` are reused buffers: read them during the call only. */
  move(rapid: boolean, from: Point, to: Point, tool: number | null, line: number): void;
}

// G codes whose axis words are not a move in work coordinates.
const NON_MOTION = new Set([4, 10, 28, 30, 52, 53, 65, 92]);
const CYCLES = new Set([73, 74, 76, 81, 82, 83, 84, 85, 86, 87, 88, 89]);
/** Chord angle when flattening arcs. */
const ARC_STEP = Math.PI / 36;
// Word letters as char codes.
const G = 71,
  M = 77,
  T = 84,
  X = 88,
  I = 73,
  K = 75,
  R = 82;

export function runMachine(p: Program, on: MachineEvents): void {
  // known[n] = 0: unknown (before the first absolute move, after a reference return).
  const pos = new Float64Array(3);
  const known = new Uint8Array(3);
  // This block's axis and I/J/K words; NaN: absent (a word's value is never NaN).
  const axis = new Float64Array(3);
  const ijk = new Float64Array(3);
  const target = new Float64Array(3);
  const targetKnown = new Uint8Array(3);
  const from = new Float64Array(3);
  const to = new Float64Array(3);
  const a = new Float64Array(3);
  const b = new Float64Array(3);
  let absolute = true;
  let motion: number | null = null;
  let plane = 17;
  let tool: number | null = null;
  let nextTool: number | null = null;
  let cycleR: number | null = null;
  let cycleZ: number | null = null;
  let retractToR = false;
  const { letters, values, wordStart, parsed, lineOf } = p;

  for (let block = 0; block < parsed.length; block++) {
    if (!parsed[block]) continue;
    axis.fill(NaN);
    ijk.fill(NaN);
    let r = NaN;
    let nonMotion = false;
    let referenceReturn = false;
    let toolChange = false;
    for (let w = wordStart[block]!; w < wordStart[block + 1]!; w++) {
      const letter = letters[w]!;
      const value = values[w]!;
      if (letter === G) {
        const g = value;
        if (g === 90) absolute = true;
        else if (g === 91) absolute = false;
        else if (g === 17 || g === 18 || g === 19) plane = g;
        else if (g === 0 || g === 1 || g === 2 || g === 3) motion = g;
        else if (g === 80) motion = null;
        else if (CYCLES.has(g)) motion = g;
        else if (g === 98) retractToR = false;
        else if (g === 99) retractToR = true;
        else if (NON_MOTION.has(g)) {
          nonMotion = true;
          // G28/G30 return the named axes to a reference point: where they end up is not in work coordinates.
          if (g === 28 || g === 30 || g === 53) referenceReturn = true;
        }
      } else if (letter >= X)
        axis[letter - X] = value; // X, Y, Z
      else if (letter >= I && letter <= K) ijk[letter - I] = value;
      else if (letter === R) r = value;
      else if (letter === T) nextTool = value;
      else if (letter === M && value === 6) toolChange = true;
    }
    // "T5 M6" and "M6 T5" both load T5; a lone "T5" on a mill only preselects it.
    if (toolChange || (tool === null && nextTool !== null)) tool = nextTool;
    const hasAxis = !Number.isNaN(axis[0]) || !Number.isNaN(axis[1]) || !Number.isNaN(axis[2]);
    if (nonMotion) {
      if (referenceReturn) for (let n = 0; n < 3; n++) if (!Number.isNaN(axis[n])) known[n] = 0;
      continue;
    }
    if (!hasAxis || motion === null) continue;
    for (let n = 0; n < 3; n++) {
      const v = axis[n]!;
      if (Number.isNaN(v)) {
        target[n] = pos[n]!;
        targetKnown[n] = known[n]!;
      } else if (absolute) {
        target[n] = v;
        targetKnown[n] = 1;
      } else {
        target[n] = pos[n]! + v;
        targetKnown[n] = known[n]!;
      }
    }
    // A point for drawing: unknown axes borrow the other end's value (or 0).
    for (let n = 0; n < 3; n++) {
      from[n] = known[n] ? pos[n]! : targetKnown[n] ? target[n]! : 0;
      to[n] = targetKnown[n] ? target[n]! : known[n] ? pos[n]! : 0;
    }
    const line = lineOf[block]!;
    if (motion === 0 || motion === 1) {
      on.move(motion === 0, from, to, tool, line);
    } else if (motion === 2 || motion === 3) {
      arc(on, from, to, { ijk, r, cw: motion === 2, plane, tool, line }, a, b);
    } else {
      // Canned cycle: rapid over the hole, rapid to R, feed to Z, retract.
      if (!Number.isNaN(r)) cycleR = absolute ? r : from[2]! + r;
      if (!Number.isNaN(axis[2])) cycleZ = absolute ? axis[2]! : (cycleR ?? from[2]!) + axis[2]!;
      const startZ = from[2]!;
      const rz = cycleR ?? startZ;
      const bottom = cycleZ ?? rz;
      const back = retractToR ? rz : startZ;
      const at = (buf: Point, z: number) => ((buf[0] = to[0]!), (buf[1] = to[1]!), (buf[2] = z), buf);
      on.move(true, from, at(a, startZ), tool, line);
      on.move(true, a, at(b, rz), tool, line);
      on.move(false, b, at(a, bottom), tool, line);
      on.move(true, a, at(b, back), tool, line);
      target[0] = to[0]!;
      target[1] = to[1]!;
      target[2] = back;
      targetKnown.fill(1);
    }
    for (let n = 0; n < 3; n++)
      if (targetKnown[n]) {
        pos[n] = target[n]!;
        known[n] = 1;
      }
  }
}

interface ArcSpec {
  /** I, J, K offsets; NaN: absent. */
  ijk: Float64Array;
  /** NaN: absent. */
  r: number;
  cw: boolean;
  plane: number;
  tool: number | null;
  line: number;
}

/** G2/G3 as chords; centre from I/J/K (incremental, Fanuc default) or R (negative: more than 180°). `prev`, `next`: scratch buffers. */
function arc(on: MachineEvents, from: Point, to: Point, a: ArcSpec, prev: Point, next: Point): void {
  // Plane axes (u, v) and the linear axis w: G17 XY/Z, G18 ZX/Y, G19 YZ/X.
  const [u, v, w] = a.plane === 18 ? [2, 0, 1] : a.plane === 19 ? [1, 2, 0] : [0, 1, 2];
  const offset = (n: number) => (Number.isNaN(a.ijk[n]) ? 0 : a.ijk[n]!);
  const su = from[u]!,
    sv = from[v]!,
    eu = to[u]!,
    ev = to[v]!;
  let cu: number, cv: number;
  if (!Number.isNaN(a.r)) {
    const dx = eu - su,
      dy = ev - sv;
    const d = Math.hypot(dx, dy);
    const rad = Math.abs(a.r);
    if (d === 0 || d > 2 * rad + 1e-9) {
      on.move(false, from, to, a.tool, a.line);
      return;
    }
    const h = Math.sqrt(Math.max(0, rad * rad - (d / 2) ** 2));
    // Which side of the chord the centre lies on depends on direction and the short/long arc.
    const side = (a.cw ? -1 : 1) * (a.r < 0 ? -1 : 1);
    cu = su + dx / 2 - (side * h * dy) / d;
    cv = sv + dy / 2 + (side * h * dx) / d;
  } else {
    cu = su + offset(u);
    cv = sv + offset(v);
  }
  const radius = Math.hypot(su - cu, sv - cv);
  const start = Math.atan2(sv - cv, su - cu);
  let sweep = Math.atan2(ev - cv, eu - cu) - start;
  // G18 looks along -Y, so its sense of clockwise is mirrored in (Z, X).
  const clockwise = a.plane === 18 ? !a.cw : a.cw;
  if (clockwise && sweep >= -1e-12) sweep -= 2 * Math.PI;
  if (!clockwise && sweep <= 1e-12) sweep += 2 * Math.PI;
  const steps = Math.max(1, Math.ceil(Math.abs(sweep) / ARC_STEP));
  prev.set(from);
  for (let n = 1; n <= steps; n++) {
    const t = n / steps;
    const ang = start + sweep * t;
    next[u] = n === steps ? eu : cu + radius * Math.cos(ang);
    next[v] = n === steps ? ev : cv + radius * Math.sin(ang);
    next[w] = from[w]! + (to[w]! - from[w]!) * t; // helix
    on.move(false, prev, next, a.tool, a.line);
    prev.set(next);
  }
}
