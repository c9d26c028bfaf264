// Fastify compiles every route's validator (ajv) and serializer (fast-json-stringify) while it
// starts: about a third of the start-up time, for routes most processes never call in their
// first second. These builders are Fastify's own defaults, wrapped so that each route's schema
// is compiled on the route's first request instead (a few ms, once per route and part).
import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

type Compiled = ((data: unknown) => unknown) & { errors?: unknown };
type Compile = (route: unknown) => Compiled;
type Builder = (externalSchemas: unknown, options: unknown) => Compile;

// The compilers of the fastify we run, not copies of our own.
const fromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));

function lazily(build: Builder): Builder {
  return (externalSchemas, options) => {
    const compile = build(externalSchemas, options);
    return (route) => {
      let compiled: Compiled | null = null;
      const first: Compiled = (data) => {
        compiled ??= compile(route);
        const result = compiled(data);
        first.errors = compiled.errors; // ajv reports through the function's `errors`
        return result;
      };
      return first;
    };
  };
}

/** The `schemaController` option of Fastify: the given validators (default: its own) and its serializers, compiling on first use. */
export function lazySchemaController(buildValidator?: unknown): NonNullable<FastifyServerOptions['schemaController']> {
  const validators = fromFastify('@fastify/ajv-compiler') as () => Builder;
  const serializers = fromFastify('@fastify/fast-json-stringify-compiler') as () => Builder;
  const compilersFactory = {
    buildValidator: lazily((buildValidator as Builder | undefined) ?? validators()),
    buildSerializer: lazily(serializers()),
  };
  // Fastify types the builders by ajv's ValidateFunction; ours return a function of the same contract.
  return { compilersFactory } as unknown as NonNullable<FastifyServerOptions['schemaController']>;
}
