/**
 * Puts a failed request's error next to the field it concerns. Fastify's schema errors name the
 * field ("body/username must NOT have fewer than 1 characters"); the services' own messages are
 * matched by their wording (`claims`). What no field claims stays for the form's banner.
 */
const SCHEMA = /^body\/(\w+) (.+)$/;

function human(rule: string): string {
  const min = /must NOT have fewer than (\d+) characters/.exec(rule);
  if (min) return min[1] === '1' ? 'Required.' : `At least ${min[1]} characters.`;
  const max = /must NOT have more than (\d+) characters/.exec(rule);
  if (max) return `At most ${max[1]} characters.`;
  if (rule.startsWith('must match pattern')) return 'Contains characters that are not allowed here.';
  return `${rule.charAt(0).toUpperCase()}${rule.slice(1)}.`;
}

export function fieldErrors<F extends string>(
  err: unknown,
  claims: Record<F, RegExp | null>,
): { of: (field: F) => string | undefined; rest: unknown } {
  const found: Partial<Record<F, string>> = {};
  const message = err instanceof Error ? err.message : '';
  const schema = SCHEMA.exec(message);
  for (const field of Object.keys(claims) as F[]) {
    if (schema?.[1] === field) found[field] = human(schema[2]!);
    else if (message && claims[field]?.test(message)) found[field] = `${message.charAt(0).toUpperCase()}${message.slice(1)}`;
  }
  const claimed = Object.keys(found).length > 0;
  return { of: (field) => found[field], rest: claimed ? null : err };
}
