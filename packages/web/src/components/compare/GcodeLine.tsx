/** One line of an NC program with its words coloured: comments, sequence numbers, G/M codes, tools/speeds/feeds, axes. */
const TOKEN = /(\([^)]*\)?|;.*$)|([A-Za-z])\s*([+-]?(?:\d+\.?\d*|\.\d+))|(\S)/g;

const CLASS: Record<string, string> = {
  comment: 'text-slate-500 italic dark:text-slate-400',
  N: 'text-slate-400 dark:text-slate-500',
  G: 'text-indigo-700 font-semibold dark:text-indigo-300',
  M: 'text-fuchsia-700 font-semibold dark:text-fuchsia-300',
  T: 'text-amber-700 font-semibold dark:text-amber-300',
  S: 'text-amber-700 dark:text-amber-300',
  F: 'text-amber-700 dark:text-amber-300',
  O: 'text-rose-700 font-semibold dark:text-rose-300',
  axis: 'text-emerald-700 dark:text-emerald-300',
  other: 'text-sky-700 dark:text-sky-300',
};

function classOf(letter: string): string {
  const l = letter.toUpperCase();
  if (CLASS[l]) return CLASS[l];
  return 'XYZABCUVW'.includes(l) ? CLASS.axis! : CLASS.other!;
}

export function GcodeLine({ text }: { text: string }) {
  const parts: React.ReactNode[] = [];
  let last = 0;
  for (const m of text.matchAll(TOKEN)) {
    const at = m.index;
    if (at > last) parts.push(text.slice(last, at));
    const [whole, comment, letter] = m;
    if (comment)
      parts.push(
        <span key={at} className={CLASS.comment}>
          {whole}
        </span>,
      );
    else if (letter)
      parts.push(
        <span key={at} className={classOf(letter)}>
          {whole}
        </span>,
      );
    else parts.push(whole);
    last = at + whole.length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return <>{parts}</>;
}

/** Plain or highlighted, depending on the kind of file. */
export function CodeText({ text, gcode }: { text: string; gcode: boolean }) {
  return gcode ? <GcodeLine text={text} /> : <>{text}</>;
}
