import { useCallback, useEffect, useRef, useState } from 'react';
import type { Toolpath } from '@lockstep/protocol';

type View = 'XY' | 'XZ' | 'YZ';
const AXES: Record<View, [number, number]> = { XY: [0, 1], XZ: [0, 2], YZ: [1, 2] };
const TOOL_COLOURS = ['#22d3ee', '#a78bfa', '#34d399', '#f472b6', '#60a5fa', '#facc15'];

interface Camera {
  scale: number;
  /** Screen position (CSS px) of the drawing's origin. */
  x: number;
  y: number;
}

function fit(path: Toolpath, view: View, w: number, h: number): Camera {
  const [u, v] = AXES[view];
  const b = path.bounds ?? { min: [0, 0, 0], max: [1, 1, 1] };
  const du = Math.max(b.max[u]! - b.min[u]!, 1e-6);
  const dv = Math.max(b.max[v]! - b.min[v]!, 1e-6);
  const scale = Math.min((w - 40) / du, (h - 40) / dv);
  return { scale, x: w / 2 - ((b.min[u]! + b.max[u]!) / 2) * scale, y: h / 2 + ((b.min[v]! + b.max[v]!) / 2) * scale };
}

/** Follows the `dark` class on <html> (set by the theme switch), so the canvas redraws with the page. */
function useDarkClass(): boolean {
  const [dark, setDark] = useState(() => document.documentElement.classList.contains('dark'));
  useEffect(() => {
    const mo = new MutationObserver(() => setDark(document.documentElement.classList.contains('dark')));
    mo.observe(document.documentElement, { attributes: true, attributeFilter: ['class'] });
    return () => mo.disconnect();
  }, []);
  return dark;
}

/** The program's moves on a canvas: cuts solid (a colour per tool), rapids dashed; wheel zooms, drag pans. */
export function Backplot({ path }: { path: Toolpath }) {
  const dark = useDarkClass();
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const boxRef = useRef<HTMLDivElement>(null);
  const [view, setView] = useState<View>('XY');
  const [size, setSize] = useState({ w: 300, h: 300 });
  const [cam, setCam] = useState<Camera | null>(null);
  const drag = useRef<{ x: number; y: number; cam: Camera } | null>(null);

  useEffect(() => {
    const box = boxRef.current;
    if (!box) return;
    const ro = new ResizeObserver(([e]) => e && setSize({ w: Math.max(100, e.contentRect.width), h: Math.max(100, e.contentRect.height) }));
    ro.observe(box);
    return () => ro.disconnect();
  }, []);

  const zoomToFit = useCallback(() => setCam(fit(path, view, size.w, size.h)), [path, view, size]);
  useEffect(zoomToFit, [zoomToFit]);

  useEffect(() => {
    const canvas = canvasRef.current;
    const ctx = canvas?.getContext('2d');
    if (!canvas || !ctx || !cam) return;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(size.w * dpr);
    canvas.height = Math.round(size.h * dpr);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.fillStyle = dark ? '#020617' : '#f8fafc';
    ctx.fillRect(0, 0, size.w, size.h);
    const [u, v] = AXES[view];
    ctx.lineWidth = 1.2;
    const tools = [...new Set(path.moves.map((m) => m.tool))];
    for (const m of path.moves) {
      ctx.beginPath();
      for (let i = 0; i < m.points.length; i += 3) {
        const sx = cam.x + m.points[i + u]! * cam.scale;
        const sy = cam.y - m.points[i + v]! * cam.scale;
        if (i === 0) ctx.moveTo(sx, sy);
        else ctx.lineTo(sx, sy);
      }
      if (m.rapid) {
        ctx.setLineDash([5, 4]);
        ctx.strokeStyle = dark ? '#f59e0b' : '#d97706';
      } else {
        ctx.setLineDash([]);
        ctx.strokeStyle = TOOL_COLOURS[tools.indexOf(m.tool) % TOOL_COLOURS.length]!;
        if (!dark && ctx.strokeStyle === '#22d3ee') ctx.strokeStyle = '#0891b2';
      }
      ctx.stroke();
    }
    ctx.setLineDash([]);
  }, [path, cam, size, view, dark]);

  const onWheel = (e: React.WheelEvent) => {
    if (!cam) return;
    const rect = e.currentTarget.getBoundingClientRect();
    const px = e.clientX - rect.left,
      py = e.clientY - rect.top;
    const k = Math.exp(-e.deltaY * 0.0015);
    setCam({ scale: cam.scale * k, x: px - (px - cam.x) * k, y: py - (py - cam.y) * k });
  };

  return (
    <div className="flex h-full min-h-0 flex-col gap-2">
      <div className="flex flex-wrap items-center gap-2 text-xs">
        <div className="inline-flex rounded-md border border-slate-300 dark:border-slate-600" role="group" aria-label="Backplot view">
          {(Object.keys(AXES) as View[]).map((vw) => (
            <button
              key={vw}
              type="button"
              aria-pressed={view === vw}
              className={`btn btn-sm rounded-none ${view === vw ? 'bg-indigo-600 text-white' : 'btn-ghost'}`}
              onClick={() => setView(vw)}
            >
              {vw}
            </button>
          ))}
        </div>
        <button type="button" className="btn btn-secondary btn-sm" onClick={zoomToFit}>
          Zoom to fit
        </button>
        <span className="muted">
          {path.segments} moves{path.units ? ` · ${path.units}` : ''}
          {path.truncated ? ' · cut short' : ''} · <span className="text-amber-600">- - rapid</span> ·{' '}
          <span className="text-cyan-600">— cut</span>
        </span>
      </div>
      <div ref={boxRef} className="relative min-h-64 flex-1 overflow-hidden rounded-md border border-slate-200 dark:border-slate-800">
        <canvas
          ref={canvasRef}
          data-testid="backplot"
          data-moves={path.moves.length}
          aria-label={`Backplot, ${view} view`}
          role="img"
          className="absolute inset-0 h-full w-full cursor-grab touch-none"
          onWheel={onWheel}
          onPointerDown={(e) => {
            if (!cam) return;
            e.currentTarget.setPointerCapture(e.pointerId);
            drag.current = { x: e.clientX, y: e.clientY, cam };
          }}
          onPointerMove={(e) => {
            const d = drag.current;
            if (d) setCam({ ...d.cam, x: d.cam.x + e.clientX - d.x, y: d.cam.y + e.clientY - d.y });
          }}
          onPointerUp={() => (drag.current = null)}
        />
      </div>
    </div>
  );
}
