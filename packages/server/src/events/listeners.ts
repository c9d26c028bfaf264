import type { Notice, ProjectEvent, Revocation } from './bus.js';

/** The listener sets of a bus: called in subscription order; one that throws does not stop the rest. */
export class BusListeners {
  private readonly events = new Set<(event: ProjectEvent) => void>();
  private readonly notices = new Set<(username: string, notice: Notice) => void>();
  private readonly revocations = new Set<(revocation: Revocation) => void>();

  constructor(private readonly onError: (error: unknown) => void) {}

  onEvent(listener: (event: ProjectEvent) => void): () => void {
    this.events.add(listener);
    return () => this.events.delete(listener);
  }

  onNotice(listener: (username: string, notice: Notice) => void): () => void {
    this.notices.add(listener);
    return () => this.notices.delete(listener);
  }

  onRevoke(listener: (revocation: Revocation) => void): () => void {
    this.revocations.add(listener);
    return () => this.revocations.delete(listener);
  }

  emitRevoke(revocation: Revocation): void {
    this.dispatch(this.revocations, (listener) => listener(revocation));
  }

  emitEvent(event: ProjectEvent): void {
    this.dispatch(this.events, (listener) => listener(event));
  }

  emitNotice(username: string, notice: Notice): void {
    this.dispatch(this.notices, (listener) => listener(username, notice));
  }

  clear(): void {
    this.events.clear();
    this.notices.clear();
    this.revocations.clear();
  }

  private dispatch<L>(listeners: Set<L>, call: (listener: L) => void): void {
    for (const listener of [...listeners]) {
      try {
        call(listener);
      } catch (error) {
        this.onError(error);
      }
    }
  }
}
