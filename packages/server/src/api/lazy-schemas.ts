// Fastify compiles every route's validator (ajv) and serializer (fast-json-stringify) while it
// starts: about a third of the start-up time, for routes most processes never call in their
// first second. These builders are Fastify's own defaults, wrapped so that each route's schema
// is compiled on the route's first request instead (a few ms, once per route and part), and the
// compilers' own set-up (Ajv instances with their formats and meta-schemas) waits for the first
// compile too. They are the compilers Fastify would load itself (the same hoisted packages).
import { createRequire } from 'node:module';
import type ajvCompilerModule from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

/**
 * Ajv and its compiler are loaded on the first route that validates something (the health check
 * validates nothing): ~70 ms of module loading kept out of start-up. A runtime require, so the
 * esbuild bundle leaves it to node_modules as well.
 */
export const loadAjvCompiler = () => createRequire(import.meta.url)('@fastify/ajv-compiler') as typeof ajvCompilerModule;

type Compiled = ((data: unknown) => unknown) & { errors?: unknown };
type Compile = (route: unknown) => Compiled;
type Builder = (externalSchemas: unknown, options: unknown) => Compile;

function lazily(builder: () => Builder): Builder {
  return (externalSchemas, options) => {
    let compileRoute: Compile | null = null;
    return (route) => {
      let compiled: Compiled | null = null;
      const first: Compiled = (data) => {
        compiled ??= (compileRoute ??= builder()(externalSchemas, options))(route);
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
  const compilersFactory = {
    buildValidator: lazily(() => (buildValidator as Builder | undefined) ?? (loadAjvCompiler()() as unknown as Builder)),
    buildSerializer: lazily(() => SerializerSelector() as unknown as Builder),
  };
  // Fastify types the builders by ajv's ValidateFunction; ours return a function of the same contract.
  return { compilersFactory } as unknown as NonNullable<FastifyServerOptions['schemaController']>;
}
