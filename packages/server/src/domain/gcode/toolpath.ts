/** A program's motion as polylines for the backplot: rapids and cuts in separate runs. Pure. */
import type { Toolpath, ToolpathMove } from '@lockstep/protocol';
import type { Program } from './blocks.js';
import { runMachine } from './machine.js';

const round = (n: number) => Math.round(n * 1e4) / 1e4;

export function toolpathOf(p: Program, maxPoints = 2_000_000): Toolpath {
  const moves: ToolpathMove[] = [];
  let current: ToolpathMove | null = null;
  let last: [number, number, number] | null = null;
  let points = 0;
  let segments = 0;
  let truncated = false;
  const min = [Infinity, Infinity, Infinity];
  const max = [-Infinity, -Infinity, -Infinity];
  const units = new Set<string>();
  runMachine(p.blocks, {
    units: (u) => units.add(u),
    move(m) {
      if (truncated) return;
      if (points >= maxPoints) {
        truncated = true;
        return;
      }
      segments++;
      const joined = current && current.rapid === m.rapid && current.tool === m.tool && last && last.every((v, i) => v === m.from[i]);
      if (!joined) {
        current = { rapid: m.rapid, tool: m.tool, line: m.line + 1, points: m.from.map(round) };
        moves.push(current);
        points++;
        extend(m.from);
      }
      current!.points.push(round(m.to[0]), round(m.to[1]), round(m.to[2]));
      points++;
      extend(m.to);
      last = m.to;
    },
  });
  function extend(pt: readonly number[]) {
    for (let n = 0; n < 3; n++) {
      if (pt[n]! < min[n]!) min[n] = pt[n]!;
      if (pt[n]! > max[n]!) max[n] = pt[n]!;
    }
  }
  return {
    units: units.size === 1 ? [...units][0]! : units.size ? 'mm' : null,
    bounds: segments ? { min: min.map(round), max: max.map(round) } : null,
    moves,
    segments,
    truncated,
  };
}
