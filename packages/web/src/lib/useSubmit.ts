import { useState } from 'react';

/**
 * Busy flag + last error around an async action, the shape every form here shares.
 * `run` resolves true on success and false once the error is stored, so a caller can add its own fallback.
 */
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  async function run(fn: () => Promise<unknown>): Promise<boolean> {
    setBusy(true);
    setError(null);
    try {
      await fn();
      return true;
    } catch (err) {
      setError(err);
      return false;
    } finally {
      setBusy(false); // a no-op when fn closed the form: React drops updates to unmounted components
    }
  }
  return { busy, error, setError, run };
}
