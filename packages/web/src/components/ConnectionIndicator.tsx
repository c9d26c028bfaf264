import { useConnectionState, useSecondsToRetry, useSocket } from '../realtime/socket';

/** connected / connecting / reconnecting in Ns / offline. */
export function ConnectionIndicator() {
  const socket = useSocket();
  const state = useConnectionState();
  const secs = useSecondsToRetry(socket);

  let text: string;
  let dot: string;
  if (state === 'open') {
    text = 'Live';
    dot = 'bg-emerald-500';
  } else if (state === 'connecting') {
    text = 'Connecting…';
    dot = 'bg-amber-400 animate-pulse';
  } else if (state === 'reconnecting') {
    text = secs ? `Reconnecting in ${secs}s` : 'Reconnecting…';
    dot = 'bg-amber-400 animate-pulse';
  } else {
    text = 'Offline';
    dot = 'bg-rose-500';
  }
  if (state === 'offline' && socket)
    return (
      <span className="inline-flex items-center gap-1">
        <Pill state={state} dot={dot} text={text} />
        <button type="button" className="btn btn-ghost btn-sm" onClick={() => socket.connect()}>
          Retry
        </button>
      </span>
    );
  return <Pill state={state} dot={dot} text={text} />;
}

function Pill({ state, dot, text }: { state: string; dot: string; text: string }) {
  return (
    <span
      role="status"
      aria-live="polite"
      data-testid="connection-status"
      data-state={state}
      title={state === 'open' ? 'Connected: changes appear live' : 'Not connected: changes will appear once the connection is back'}
      className="inline-flex items-center gap-2 rounded-full border border-slate-200 px-2.5 py-1 text-xs font-medium dark:border-slate-700"
    >
      <span className={`h-2 w-2 rounded-full ${dot}`} aria-hidden="true" />
      {text}
    </span>
  );
}
