import { useRef, useState, type ReactNode } from 'react';

/** Wheel to zoom about the pointer, drag to pan, a button to fit again. */
export function PanZoom({ children, label }: { children: ReactNode; label: string }) {
  const [t, setT] = useState({ k: 1, x: 0, y: 0 });
  const drag = useRef<{ x: number; y: number; t: typeof t } | null>(null);
  return (
    <div className="flex h-full min-h-0 flex-col gap-2">
      <div className="flex items-center gap-2 text-xs">
        <button type="button" className="btn btn-secondary btn-sm" onClick={() => setT({ k: 1, x: 0, y: 0 })}>
          Zoom to fit
        </button>
        <span className="muted">{Math.round(t.k * 100)}% · wheel to zoom, drag to pan</span>
      </div>
      <div
        className="relative min-h-64 flex-1 cursor-grab touch-none overflow-hidden rounded-md border border-slate-200 bg-slate-900 dark:border-slate-800"
        aria-label={label}
        onWheel={(e) => {
          const r = e.currentTarget.getBoundingClientRect();
          const px = e.clientX - r.left,
            py = e.clientY - r.top;
          const k = Math.exp(-e.deltaY * 0.0015);
          setT({ k: t.k * k, x: px - (px - t.x) * k, y: py - (py - t.y) * k });
        }}
        onPointerDown={(e) => {
          e.currentTarget.setPointerCapture(e.pointerId);
          drag.current = { x: e.clientX, y: e.clientY, t };
        }}
        onPointerMove={(e) => {
          const d = drag.current;
          if (d) setT({ ...d.t, x: d.t.x + e.clientX - d.x, y: d.t.y + e.clientY - d.y });
        }}
        onPointerUp={() => (drag.current = null)}
      >
        <div className="absolute inset-0 origin-top-left" style={{ transform: `translate(${t.x}px, ${t.y}px) scale(${t.k})` }}>
          {children}
        </div>
      </div>
    </div>
  );
}
