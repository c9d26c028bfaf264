import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { DiffQuery, ErrorBody, FileDiff, PreviewQuery, Toolpath } from '@lockstep/protocol';
import type { Services } from '../../services/context.js';
import { contentDisposition } from '../download.js';

const FileParams = Type.Object({ project: Type.String({ maxLength: 64 }), path: Type.String({ maxLength: 1024 }) });
const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 413: ErrorBody };

// Nothing previewed may run: PDFs get a sandbox (no script, no forms, own origin), the rest no sources at all.
const POLICY: Record<string, string> = {
  'application/pdf': 'sandbox',
  'image/svg+xml': "default-src 'none'; style-src 'unsafe-inline'; sandbox",
};
const DEFAULT_POLICY = "default-src 'none'; sandbox";

// Loaded on the first compare/preview (jsdiff, the DXF parser, the G-code reader): not at start-up.
const compareService = () => import('../../services/compare.js');
const previewService = () => import('../../services/preview.js');

export const compareRoutes =
  (s: Services): FastifyPluginAsyncTypebox =>
  // eslint-disable-next-line @typescript-eslint/require-await -- Fastify plugins are async by contract
  async (app) => {
    app.get(
      '/api/projects/:project/files/:path/diff',
      {
        config: { access: 'read' },
        schema: {
          tags: ['files'],
          operationId: 'diffFile',
          summary: 'Compare two revisions of a file',
          description:
            'Unified hunks between `from` and `to` (revision labels or commit ids; default: the previous revision → the latest). ' +
            'NC programs (.nc, .tap, and .txt that reads as G-code) compare with sequence numbers, comments, blank lines, spacing, case ' +
            'and number formatting ignored (`ignoreFormatting=false` compares the raw text) and come with a summary of tools, spindle ' +
            'speeds, feeds, work offsets, program number and extent. Binary files compare by size and content hash.',
          params: FileParams,
          querystring: DiffQuery,
          response: { 200: FileDiff, ...errors },
        },
      },
      async (req) => (await compareService()).compareRevisions(s, req.params.project, req.params.path, req.query),
    );

    app.get(
      '/api/projects/:project/files/:path/preview',
      {
        config: { access: 'read' },
        schema: {
          tags: ['files'],
          operationId: 'previewFile',
          summary: 'Show a revision of a file in the browser',
          description:
            'PDFs and images inline; text and G-code as text/plain; DXF drawings as an SVG the server draws; `as=toolpath`: an NC ' +
            'program as moves (JSON, rapids and feeds apart, arcs as chords) for a backplot. CAD/CAM binaries: 415. Past the size ' +
            'limit (LOCKSTEP_PREVIEW_MAX_MB): 413. A DXF or NC program that cannot be read: 422.',
          params: FileParams,
          querystring: PreviewQuery,
          response: {
            200: Type.Any({ description: 'the preview (PDF, image, text, SVG, or a Toolpath as JSON)' }),
            ...errors,
            415: ErrorBody,
            422: ErrorBody,
          },
        },
      },
      async (req, reply) => {
        const preview = await (await previewService()).previewFile(s, req.params.project, req.params.path, req.query.rev, req.query.as);
        reply
          .header('x-content-type-options', 'nosniff')
          .header('cache-control', 'private, no-cache')
          .header('etag', `"${preview.sha}"`)
          .header('x-lockstep-commit', preview.commit);
        if (preview.kind === 'toolpath') {
          reply.header('content-security-policy', DEFAULT_POLICY);
          // Already shaped as a Toolpath; a plain JSON string is much faster than the schema serializer for 10⁶ numbers.
          const body: Toolpath = preview.body;
          return reply.type('application/json; charset=utf-8').send(JSON.stringify(body));
        }
        return reply
          .type(preview.contentType)
          .header('content-length', preview.size)
          .header('content-disposition', contentDisposition(preview.name).replace(/^attachment/, 'inline'))
          .header('content-security-policy', POLICY[preview.contentType] ?? DEFAULT_POLICY)
          .send(preview.body);
      },
    );
  };
