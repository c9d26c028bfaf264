/**
 * Per-key promise-chain mutex: tasks with the same key run one after another, in call order.
 * It only orders work inside one process; other processes are handled by the ref CAS.
 */
export class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(task, task);
    const tail = result.catch(() => {});
    this.tails.set(key, tail);
    // Drop the entry once this task is the last in line, so the map does not grow forever.
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Number of keys with work queued or running (for tests and diagnostics). */
  get size(): number {
    return this.tails.size;
  }
}
