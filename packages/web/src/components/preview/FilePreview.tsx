import * as Tabs from '@radix-ui/react-tabs';
import { useState } from 'react';
import { createPortal } from 'react-dom';
import { useQuery } from '@tanstack/react-query';
import { api, type Toolpath } from '@lockstep/protocol';
import { ApiError, get } from '../../api/client';
import { CodeText } from '../compare/GcodeLine';
import { ErrorText, Spinner } from '../ui';
import { Backplot } from './Backplot';
import { PanZoom } from './PanZoom';

type Kind = 'pdf' | 'image' | 'dxf' | 'nc' | 'text' | 'none';
const ext = (p: string) => p.slice(p.lastIndexOf('.')).toLowerCase();
function kindOf(path: string): Kind {
  const e = ext(path);
  if (e === '.pdf') return 'pdf';
  if (['.png', '.jpg', '.jpeg', '.gif', '.webp', '.bmp'].includes(e)) return 'image';
  if (e === '.dxf') return 'dxf';
  if (['.nc', '.tap', '.ngc', '.cnc', '.eia'].includes(e)) return 'nc';
  if (e === '.txt') return 'text';
  return 'none';
}

const SHOWN_LINES = 5000;

async function fetchText(url: string): Promise<string> {
  const res = await fetch(url, { credentials: 'same-origin' });
  if (!res.ok) {
    const body = (await res.json().catch(() => null)) as { error?: { code: string; message: string } } | null;
    throw new ApiError(res.status, body?.error?.code ?? `http_${res.status}`, body?.error?.message ?? `The server answered ${res.status}.`);
  }
  return res.text();
}

function ProgramText({ url, gcode }: { url: string; gcode: boolean }) {
  const q = useQuery({ queryKey: ['preview-text', url], queryFn: () => fetchText(url) });
  if (q.isPending) return <Spinner label="Loading program" />;
  if (q.error) return <ErrorText error={q.error} />;
  const lines = q.data.split(/\r\n|\r|\n/);
  return (
    <div
      className="h-full overflow-auto rounded-md border border-slate-200 font-mono text-xs dark:border-slate-800"
      data-testid="preview-text"
    >
      {lines.slice(0, SHOWN_LINES).map((l, i) => (
        <div key={i} className="flex">
          <span className="w-12 shrink-0 pr-2 text-right text-slate-400 select-none dark:text-slate-500">{i + 1}</span>
          <span className="whitespace-pre-wrap break-all">
            <CodeText text={l} gcode={gcode} />
          </span>
        </div>
      ))}
      {lines.length > SHOWN_LINES && (
        <p className="p-2 muted">
          First {SHOWN_LINES} of {lines.length} lines; download for the rest.
        </p>
      )}
    </div>
  );
}

function ProgramBackplot({ slug, path, rev }: { slug: string; path: string; rev?: string }) {
  const q = useQuery({
    queryKey: ['toolpath', slug, path, rev],
    queryFn: () => get<Toolpath>(api.filePreview(slug, path, { rev, as: 'toolpath' })),
  });
  if (q.isPending) return <Spinner label="Reading toolpath" />;
  if (q.error) return <ErrorText error={q.error} />;
  return <Backplot path={q.data} />;
}

/** What the browser can show of one revision: PDF, image, DXF drawing, NC program text and backplot. */
export function FilePreview({ slug, path, rev }: { slug: string; path: string; rev?: string }) {
  const kind = kindOf(path);
  const [tab, setTab] = useState<'backplot' | 'text'>(kind === 'nc' ? 'backplot' : 'text');
  const [full, setFull] = useState(false);
  const url = api.filePreview(slug, path, { rev });
  const name = path.split('/').pop() ?? path;

  let body: React.ReactNode;
  if (kind === 'pdf') body = <iframe src={url} title={`PDF ${name}`} className="h-full min-h-[60vh] w-full rounded-md border-0" />;
  else if (kind === 'image') body = <img src={url} alt={name} className="mx-auto max-h-full max-w-full object-contain" />;
  else if (kind === 'dxf')
    body = (
      <PanZoom label={`Drawing ${name}`}>
        <img src={url} alt={`Drawing ${name}`} className="h-full w-full object-contain" data-testid="dxf-preview" draggable={false} />
      </PanZoom>
    );
  else if (kind === 'nc' || kind === 'text')
    body = (
      <div className="flex h-full min-h-0 flex-col gap-2">
        <Tabs.Root value={tab} onValueChange={(v) => setTab(v as typeof tab)} className="flex h-full min-h-0 flex-col gap-2">
          <Tabs.List className="inline-flex self-start rounded-md border border-slate-300 dark:border-slate-600" aria-label="Program view">
            {(['backplot', 'text'] as const).map((t) => (
              <Tabs.Trigger
                key={t}
                value={t}
                className="btn btn-sm btn-ghost rounded-none data-[state=active]:bg-indigo-600 data-[state=active]:text-white"
              >
                {t === 'backplot' ? 'Backplot' : 'Program'}
              </Tabs.Trigger>
            ))}
          </Tabs.List>
          <Tabs.Content value="backplot" className="min-h-0 flex-1">
            <ProgramBackplot slug={slug} path={path} rev={rev} />
          </Tabs.Content>
          <Tabs.Content value="text" className="min-h-0 flex-1">
            <ProgramText url={url} gcode={kind === 'nc'} />
          </Tabs.Content>
        </Tabs.Root>
      </div>
    );
  else
    body = (
      <p className="text-sm muted">No preview for {ext(path)} files in the browser. Download the file to open it in its CAD/CAM program.</p>
    );

  const view = (
    <div
      className={full ? 'fixed inset-0 z-50 flex flex-col gap-2 bg-white p-3 dark:bg-slate-900' : 'flex h-[70vh] min-h-80 flex-col gap-2'}
      data-testid="file-preview"
    >
      <div className="flex items-center justify-between gap-2">
        <h3 className="truncate text-sm font-semibold">Preview{rev ? ` · ${rev.slice(0, 7)}` : ''}</h3>
        {kind !== 'none' && (
          <button type="button" className="btn btn-ghost btn-sm" onClick={() => setFull(!full)}>
            {full ? 'Exit full screen' : 'Full screen'}
          </button>
        )}
      </div>
      <div className="min-h-0 flex-1">{body}</div>
    </div>
  );
  // Full screen leaves the file panel (which may contain fixed elements) through a portal.
  return full ? createPortal(view, document.body) : view;
}
