import { useId, useState, type DragEvent } from 'react';

/** File picker + drop zone. The input is real (keyboard + screen reader + automation friendly). */
export function DropZone({
  label,
  multiple = false,
  onFiles,
  hint,
  accept,
  error,
}: {
  label: string;
  multiple?: boolean;
  onFiles: (files: File[]) => void;
  hint?: string;
  /** The picker shows only these (".mcam,.nc,…"); dropping is not filtered, the server says why. */
  accept?: string;
  /** Why the chosen file was refused (or none chosen), shown under the zone. */
  error?: string;
}) {
  const id = useId();
  const [over, setOver] = useState(false);
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const files = [...e.dataTransfer.files];
    if (files.length) onFiles(multiple ? files : files.slice(0, 1));
  };
  return (
    <div
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      className={`relative rounded-lg border-2 border-dashed px-4 py-6 text-center transition-colors ${
        over ? 'border-indigo-500 bg-indigo-50 dark:bg-indigo-500/10' : 'border-slate-300 dark:border-slate-700'
      } focus-within:border-indigo-500`}
    >
      <svg
        className="mx-auto mb-2 h-8 w-8 text-slate-400"
        viewBox="0 0 24 24"
        fill="none"
        stroke="currentColor"
        strokeWidth="1.5"
        aria-hidden="true"
      >
        <path
          d="M12 16V4m0 0-4 4m4-4 4 4M4 16v2.5A1.5 1.5 0 0 0 5.5 20h13a1.5 1.5 0 0 0 1.5-1.5V16"
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      </svg>
      <label htmlFor={id} className="cursor-pointer text-sm">
        <span className="font-medium text-indigo-600 underline-offset-2 hover:underline dark:text-indigo-300">{label}</span>
        <span className="muted"> or drag and drop {multiple ? 'files' : 'a file'} here</span>
      </label>
      {hint && <p className="mt-1 text-xs muted">{hint}</p>}
      {error && (
        <p id={`${id}-error`} role="alert" className="mt-1 text-xs font-medium text-rose-700 dark:text-rose-300">
          {error}
        </p>
      )}
      <input
        id={id}
        type="file"
        multiple={multiple}
        accept={accept}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        className="sr-only"
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          if (files.length) onFiles(files);
          e.target.value = '';
        }}
      />
    </div>
  );
}
