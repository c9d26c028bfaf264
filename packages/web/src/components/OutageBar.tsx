import { useConnectionState, useSocket } from '../realtime/socket';

/**
 * True while the live connection is up (or still opening at start): actions that need the
 * server are disabled while it is down, so nobody acts on statuses that may be out of date.
 */
export function useOnline(): boolean {
  const state = useConnectionState();
  return state === 'open' || state === 'connecting';
}

/** A bar nobody misses while the connection is down; it goes away by itself when it is back. */
export function OutageBar() {
  const socket = useSocket();
  const state = useConnectionState();
  if (!socket || state === 'open' || state === 'connecting') return null;
  return (
    <div
      role="alert"
      data-testid="outage-bar"
      className="sticky top-14 z-20 border-b border-amber-400 bg-amber-100 text-amber-950 dark:border-amber-600 dark:bg-amber-950 dark:text-amber-100"
    >
      <div className="mx-auto flex max-w-screen-2xl flex-wrap items-center gap-x-4 gap-y-1 px-4 py-2 text-sm sm:px-6">
        <p className="min-w-0 flex-1">
          <span className="font-semibold">Reconnecting — statuses may be out of date.</span> Check-outs, check-ins and uploads wait until
          the connection is back.
        </p>
        <button type="button" className="btn btn-secondary btn-sm" onClick={() => socket.retryNow()}>
          Retry now
        </button>
      </div>
    </div>
  );
}
