/** A program's motion as polylines for the backplot: rapids and cuts in separate runs. Pure. */
import type { Toolpath, ToolpathMove } from '@lockstep/protocol';
import { programUnits, type Program } from './blocks.js';
import { runMachine } from './machine.js';

const round = (n: number) => Math.round(n * 1e4) / 1e4;

export function toolpathOf(p: Program, maxPoints = 2_000_000): Toolpath {
  const moves: ToolpathMove[] = [];
  let current: ToolpathMove | null = null;
  const last = new Float64Array(3);
  let hasLast = false;
  let points = 0;
  let segments = 0;
  let truncated = false;
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  runMachine(p, {
    move(rapid, from, to, tool, line) {
      if (truncated) return;
      if (points >= maxPoints) {
        truncated = true;
        return;
      }
      segments++;
      const joined =
        current &&
        current.rapid === rapid &&
        current.tool === tool &&
        hasLast &&
        last[0] === from[0] &&
        last[1] === from[1] &&
        last[2] === from[2];
      if (!joined) {
        current = { rapid, tool, line: line + 1, points: [round(from[0]!), round(from[1]!), round(from[2]!)] };
        moves.push(current);
        points++;
        extend(from);
      }
      current!.points.push(round(to[0]!), round(to[1]!), round(to[2]!));
      points++;
      extend(to);
      last.set(to);
      hasLast = true;
    },
  });
  function extend(pt: Float64Array) {
    for (let n = 0; n < 3; n++) {
      if (pt[n]! < min[n]!) min[n] = pt[n]!;
      if (pt[n]! > max[n]!) max[n] = pt[n]!;
    }
  }
  return {
    units: programUnits(p),
    bounds: segments ? { min: min.map(round), max: max.map(round) } : null,
    moves,
    segments,
    truncated,
  };
}
