import { useQueryClient } from '@tanstack/react-query';
import type { FileInfo, FileList } from '@lockstep/protocol';
import { keys } from '../api/queries';

export type FileModal = { kind: 'checkout' | 'checkin' | 'cancel' | 'override' | 'delete' | 'edit'; file: FileInfo } | { kind: 'upload' };

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
  };
}

export function FileNameLine({ file }: { file: FileInfo }) {
  return (
    <span>
      <span className="font-mono text-slate-700 dark:text-slate-200">{file.path}</span> · rev {file.revision}
    </span>
  );
}
