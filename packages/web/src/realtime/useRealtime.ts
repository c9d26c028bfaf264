import { useEffect, useRef } from 'react';
import { useQueryClient, type QueryClient } from '@tanstack/react-query';
import {
  PROJECT_EVENT_TYPES,
  type Envelope,
  type FileEventData,
  type FileInfo,
  type FileList,
  type NotificationList,
  type ProcessData,
  type ProjectEventMap,
  type ServerMessageMap,
} from '@lockstep/protocol';
import { keys } from '../api/queries';
import { actionVerb } from '../lib/format';
import { approvalText, stateChangeText, stepOf } from '../lib/lifecycle';
import { activityStore, groupedToast, presenceStore, processStore, pushActivity, pushNotice, toast } from './stores';
import { useSocket, type AppSocket } from './socket';

const FILE_EVENTS = PROJECT_EVENT_TYPES.filter((t) => t.startsWith('file.')) as Array<
  | 'file.uploaded'
  | 'file.checked_out'
  | 'file.checked_in'
  | 'file.checkout_cancelled'
  | 'file.lock_overridden'
  | 'file.updated'
  | 'file.deleted'
  | 'file.state_changed'
  | 'file.approved'
  | 'file.queue_changed'
>;

type StateData = ProjectEventMap['file.state_changed'];
type ApprovedData = ProjectEventMap['file.approved'];
const isStateChange = (type: string, d: FileEventData): d is StateData => type === 'file.state_changed' && 'to' in d;
const isApproval = (type: string, d: FileEventData): d is ApprovedData => type === 'file.approved' && 'approvals' in d;

/** Events carry the file "as seen by nobody"; turn it into what this viewer sees. */
export function forViewer(f: FileInfo, me: string): FileInfo {
  const status = !f.lockedBy ? 'available' : f.lockedBy === me ? 'checked_out_by_me' : 'locked';
  return { ...f, status };
}

const lockFields = (f: FileInfo) => ({ status: f.status, lockedBy: f.lockedBy, lockedAt: f.lockedAt, lockMessage: f.lockMessage });

/** Patch the cached lists and detail of one project right away, then refetch in the background. */
export function applyFileEvent(qc: QueryClient, project: string, type: string, d: FileEventData, me: string): void {
  const file = d.file ? forViewer(d.file, me) : null;
  const removed = type === 'file.deleted' || !file;
  qc.setQueriesData<FileList>({ queryKey: keys.filesAll(project) }, (old) => {
    if (!old) return old;
    let items = old.items;
    if (removed) items = items.filter((i) => i.path !== d.path);
    else
      items = items.map((i) => {
        if (i.path === d.path) return i.link ? { ...i, ...lockFields(file) } : file;
        if (i.link === d.path) return { ...i, ...lockFields(file) };
        return i;
      });
    return { ...old, items, total: old.total - (old.items.length - items.length) };
  });
  if (file) qc.setQueryData(keys.file(project, d.path), file);
  void qc.invalidateQueries({ queryKey: keys.filesAll(project) });
  void qc.invalidateQueries({ queryKey: keys.file(project, d.path) });
  void qc.invalidateQueries({ queryKey: keys.history(project, d.path) });
  void qc.invalidateQueries({ queryKey: keys.locks });
  void qc.invalidateQueries({ queryKey: keys.projects });
  void qc.invalidateQueries({ queryKey: keys.audit });
  if (type === 'file.state_changed' || type === 'file.approved') void qc.invalidateQueries({ queryKey: keys.reviews });
}

/** The toast for someone else's change: "alice checked in X → rev B", "quinn approved X (1/2)". */
function describe(type: string, d: FileEventData): string {
  if (isStateChange(type, d)) return stateChangeText(d, d.path);
  if (isApproval(type, d)) return approvalText(d.actor, d.path, d.approvals.length, d.required);
  const extra =
    type === 'file.checked_in' && d.revision ? ` → rev ${d.revision}` : type === 'file.checked_out' && d.message ? ` — “${d.message}”` : '';
  return `${d.actor} ${actionVerb(type)} ${d.path}${extra}`;
}

/** Personal notices that need an answer stay on screen as a banner; the rest are a toast (and in the inbox). */
const BANNER_KINDS = new Set(['lock_overridden', 'file_available', undefined]);

/** A stored notice bumps the bell at once; the refetch brings the item itself. */
function onStoredNotice(qc: QueryClient, n: ServerMessageMap['notice']): void {
  if (n.id === undefined) return;
  qc.setQueriesData<NotificationList>({ queryKey: keys.notifications }, (old) =>
    old && 'unread' in old && !old.items.some((i) => i.id === n.id) ? { ...old, unread: old.unread + 1 } : old,
  );
  void qc.invalidateQueries({ queryKey: keys.notifications });
  if (n.kind === 'review_requested') void qc.invalidateQueries({ queryKey: keys.reviews });
}

/**
 * Wire socket events into the query cache and the client stores. `currentProject` is the open
 * project: other users' actions there raise a toast.
 */
export function useRealtime(me: string | null, currentProject: string | null): void {
  const qc = useQueryClient();
  const socket = useSocket();
  const projectRef = useRef(currentProject);
  projectRef.current = currentProject;

  useEffect(() => {
    if (!socket || !me) return;
    const s: AppSocket = socket;
    const offs: Array<() => void> = [];

    for (const type of FILE_EVENTS) {
      offs.push(
        s.on(type, (msg) => {
          const env = msg as Envelope<string, FileEventData>;
          const project = env.project;
          if (!project) return;
          const d = env.data;
          applyFileEvent(qc, project, type, d, me);
          if (type === 'file.queue_changed') return; // who waits for a lock is no news for everyone
          const action = isStateChange(type, d) ? stepOf(d) : type;
          pushActivity({
            id: `${project}:${env.seq ?? env.ts}:${type}`,
            at: env.ts,
            actor: d.actor,
            action,
            project,
            path: d.path,
            detail: isStateChange(type, d) || isApproval(type, d) ? d.comment || undefined : d.message,
          });
          if (d.actor !== me && project === projectRef.current) {
            const tone = ['file.lock_overridden', 'file.deleted', 'file.rejected', 'file.obsoleted'].includes(action) ? 'warning' : 'info';
            groupedToast(`${project}|${d.actor}|${action}`, { tone, title: describe(type, d) }, (n) =>
              type === 'file.lock_overridden' ? `${d.actor} overrode ${n} locks` : `${d.actor} ${actionVerb(action)} ${n} files`,
            );
          }
        }),
      );
    }

    for (const type of ['project.created', 'project.updated', 'project.deleted'] as const) {
      offs.push(
        s.on(type, (msg) => {
          void qc.invalidateQueries({ queryKey: keys.projects });
          const d = msg.data;
          const slug = 'slug' in d ? d.slug : d.project.slug;
          pushActivity({ id: `${type}:${msg.ts}:${slug}`, at: msg.ts, actor: d.actor, action: type, project: slug, path: null });
        }),
      );
    }

    const onProcess = (state: 'running' | 'completed' | 'failed') => (msg: Envelope<string, ProcessData>) => {
      const d = msg.data;
      processStore.set((all) => ({ ...all, [d.processId]: { ...d, state, project: msg.project } }));
      if (state !== 'running') {
        if (state === 'failed') toast({ tone: 'error', title: `${d.label} failed`, body: d.error });
        void qc.invalidateQueries({ queryKey: keys.projects });
        setTimeout(() => processStore.set(({ [d.processId]: _, ...rest }) => rest), 4000);
      }
    };
    offs.push(s.on('process.started', onProcess('running')));
    offs.push(s.on('process.progress', onProcess('running')));
    offs.push(s.on('process.completed', onProcess('completed')));
    offs.push(s.on('process.failed', onProcess('failed')));

    offs.push(
      s.on('connection.established', (msg) => {
        presenceStore.set(msg.data.online);
        // After a role change the server reconnects us (close 4001): the app takes the new role.
        void qc.invalidateQueries({ queryKey: keys.me });
      }),
    );
    offs.push(s.on('presence.joined', (msg) => presenceStore.set(msg.data.online)));
    offs.push(s.on('presence.left', (msg) => presenceStore.set(msg.data.online)));

    offs.push(
      s.on('notice', (msg) => {
        onStoredNotice(qc, msg.data);
        if (BANNER_KINDS.has(msg.data.kind)) pushNotice({ ...msg.data, at: msg.ts });
        else toast({ tone: 'info', title: msg.data.message });
        void qc.invalidateQueries({ queryKey: keys.locks });
        if (msg.data.project) void qc.invalidateQueries({ queryKey: keys.filesAll(msg.data.project) });
      }),
    );

    offs.push(
      // The list may have been fetched before the subscription took effect: refetch once it has,
      // so a change made in between is never missing from the page.
      s.on('subscribed', (msg) => {
        void qc.invalidateQueries({ queryKey: keys.filesAll(msg.data.project) });
      }),
      s.on('resync', (msg) => {
        const p = msg.data.project;
        void qc.invalidateQueries({ queryKey: keys.filesAll(p) });
        void qc.invalidateQueries({ queryKey: keys.fileAll(p) });
        void qc.invalidateQueries({ queryKey: keys.historyAll(p) });
        void qc.invalidateQueries({ queryKey: keys.locks });
      }),
    );

    // After any reconnect, refetch everything: whatever was missed is caught up even if the
    // server lost its replay buffer (restart).
    let wasOpen = s.state === 'open';
    let everOpen = wasOpen;
    offs.push(
      s.onState((state) => {
        if (state === 'open' && !wasOpen && everOpen) void qc.invalidateQueries();
        // The server refused the socket (1008): the session may be gone; /me decides.
        if (state === 'offline') void qc.invalidateQueries({ queryKey: keys.me });
        wasOpen = state === 'open';
        everOpen ||= wasOpen;
      }),
    );

    return () => offs.forEach((off) => off());
  }, [socket, me, qc]);

  // Forget the previous user's activity on sign-out.
  useEffect(() => {
    if (!me) activityStore.set([]);
  }, [me]);
}
