import { useQueryClient } from '@tanstack/react-query';
import type { FileInfo, FileList } from '@lockstep/protocol';
import { keys } from '../api/queries';
import { useSubmit } from '../lib/useSubmit';
import { toast } from '../realtime/stores';

export type FileModalKind =
  | 'checkout'
  | 'checkin'
  | 'cancel'
  | 'override'
  | 'delete'
  | 'edit'
  | 'release'
  | 'approve'
  | 'reject'
  | 'withdraw'
  | 'obsolete'
  | 'reactivate';
export type FileModal = { kind: FileModalKind; file: FileInfo } | { kind: 'upload' };

/** After a successful file action: put the server's answer in the cache, refetch the rest. */
export function useAfterFileChange(slug: string) {
  const qc = useQueryClient();
  return (path: string, file?: FileInfo | null) => {
    if (file && typeof file === 'object' && 'path' in file) {
      qc.setQueryData(keys.file(slug, path), file);
      qc.setQueriesData<FileList>({ queryKey: keys.filesAll(slug) }, (old) =>
        old ? { ...old, items: old.items.map((i) => (i.path === path ? file : i)) } : old,
      );
    }
    void qc.invalidateQueries({ queryKey: keys.filesAll(slug) });
    void qc.invalidateQueries({ queryKey: keys.file(slug, path) });
    void qc.invalidateQueries({ queryKey: keys.history(slug, path) });
    void qc.invalidateQueries({ queryKey: keys.locks });
    void qc.invalidateQueries({ queryKey: keys.projects });
    void qc.invalidateQueries({ queryKey: keys.reviews });
  };
}

/** Shared shape of the small confirm-style dialogs: run the request, patch the cache, toast, close. */
export function useFileAction(slug: string, file: FileInfo, onClose: () => void) {
  const after = useAfterFileChange(slug);
  const { error, busy, run: attempt, setError } = useSubmit();
  async function run(fn: () => Promise<unknown>, success: string | ((res: FileInfo) => string)) {
    const ok = await attempt(async () => {
      const res = (await fn()) as FileInfo | null;
      after(file.path, res);
      toast({ tone: 'success', title: typeof success === 'string' ? success : success(res!) });
      onClose();
    });
    if (!ok) after(file.path); // the file may have changed under us: show its real state
    return ok;
  }
  return { error, busy, run, setError };
}

export function FileNameLine({ file }: { file: FileInfo }) {
  return (
    <span>
      <span className="font-mono text-slate-700 dark:text-slate-200">{file.path}</span> · rev {file.revision}
    </span>
  );
}
