import type { RouteDefinition, ValidatorCompiler, ValidatorFactory } from '@fastify/ajv-compiler';
import { loadAjvCompiler } from './lazy-schemas.js';

const base = { removeAdditional: false, useDefaults: true } as const;

/**
 * Two Ajv compilers: query strings, params and headers arrive as text and are coerced to their
 * schema's types (`?limit=20`); JSON bodies are typed by the client and are never coerced, so
 * `{"message": 42}` is a 400 rather than the string "42".
 */
export const strictBodies: { buildValidator: ValidatorFactory } = {
  buildValidator(externalSchemas) {
    const factory = loadAjvCompiler()(); // on the first compile (see lazy-schemas.ts)
    const coercing = factory(externalSchemas, { customOptions: { ...base, coerceTypes: 'array' } });
    const strict = factory(externalSchemas, { customOptions: { ...base, coerceTypes: false } });
    const compile: ValidatorCompiler = (route: RouteDefinition) => (route.httpPart === 'body' ? strict : coercing)(route);
    return compile;
  },
};
