import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import {
  CheckoutRequest,
  CreateLinkRequest,
  ErrorBody,
  FileInfo,
  FileList,
  GroupSummary,
  HistoryEntry,
  ListFilesQuery,
  OverrideRequest,
  UpdateFileRequest,
} from '@lockstep/protocol';
import { cancelCheckout, checkout, overrideLock } from '../../services/checkout.js';
import { assertMayCheckin, checkin } from '../../services/checkin.js';
import type { Services } from '../../services/context.js';
import { createLink, deleteFile, updateMetadata } from '../../services/file-edit.js';
import { fileContent, fileHistory } from '../../services/history.js';
import { requireProject } from '../../services/file-common.js';
import { uploadFile } from '../../services/upload.js';
import { fileGroups, fileInfo, fileListJson } from '../../services/listing.js';
import { requireAuth } from '../auth-hook.js';
import { contentDisposition, contentTypeFor, revisionedName } from '../download.js';
import { boolField, readUpload } from '../multipart.js';

const ProjectParams = Type.Object({ project: Type.String({ maxLength: 64 }) });
const FileParams = Type.Object({ project: Type.String({ maxLength: 64 }), path: Type.String({ maxLength: 1024 }) });
/** `If-Match: <commit>` (quoted like an ETag or bare): the commit the client last saw. */
const ifMatchOf = (req: { headers: Record<string, string | string[] | undefined> }) => {
  const value = req.headers['if-match'];
  return typeof value === 'string' ? value.trim().replace(/^(W\/)?"(.*)"$/, '$2') : undefined;
};

const errors = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody };
const lockErrors = { ...errors, 409: ErrorBody };

export const fileRoutes =
  (s: Services): FastifyPluginAsyncTypebox =>
  (app) => {
    app.get(
      '/api/projects/:project/files',
      {
        config: { access: 'read' },
        schema: {
          tags: ['files'],
          summary: 'List files with status for the viewer',
          params: ProjectParams,
          querystring: ListFilesQuery,
          response: { 200: FileList, ...errors },
        },
      },
      async (req, reply) => {
        const body = await fileListJson(s, req.params.project, requireAuth(req).actor, req.query);
        // A FileList whose entries are already JSON: Fastify sends a string body as it is.
        return reply.type('application/json; charset=utf-8').send(body as unknown as FileList);
      },
    );

    app.get(
      '/api/projects/:project/groups',
      {
        config: { access: 'read' },
        schema: {
          tags: ['files'],
          summary: 'Part-number groups with counts',
          params: ProjectParams,
          response: { 200: Type.Array(GroupSummary), ...errors },
        },
      },
      async (req) => fileGroups(s, req.params.project),
    );

    app.post(
      '/api/projects/:project/files',
      {
        config: { access: 'write' },
        schema: {
          tags: ['files'],
          summary: 'Upload a new file (multipart: path?, description?, file) at revision A',
          consumes: ['multipart/form-data'],
          params: ProjectParams,
          response: { 201: FileInfo, ...lockErrors, 413: ErrorBody, 415: ErrorBody },
        },
      },
      async (req, reply) => {
        await requireProject(s, req.params.project);
        const upload = await readUpload(s, req, req.params.project);
        const file = await uploadFile(s, req.params.project, requireAuth(req).actor, {
          path: upload.fields.path || upload.filename,
          description: upload.fields.description,
          blob: upload.blob,
        });
        return reply.status(201).send(file);
      },
    );

    app.get(
      '/api/projects/:project/files/:path',
      {
        config: { access: 'read' },
        schema: { tags: ['files'], summary: 'One file', params: FileParams, response: { 200: FileInfo, ...errors } },
      },
      async (req) => fileInfo(s, req.params.project, req.params.path, requireAuth(req).actor),
    );

    app.get(
      '/api/projects/:project/files/:path/content',
      {
        config: { access: 'read' },
        schema: {
          tags: ['files'],
          summary: 'Download the current revision (viewers: the released one), or ?rev= a commit id, a revision label or `released`',
          params: FileParams,
          querystring: Type.Object({ rev: Type.Optional(Type.String({ maxLength: 64 })) }),
          response: { 200: Type.Any({ description: 'the file content' }), ...errors },
        },
      },
      async (req, reply) => {
        const dl = await fileContent(s, req.params.project, req.params.path, requireAuth(req).actor, req.query.rev);
        return reply
          .header('content-type', contentTypeFor(dl.name))
          .header('content-length', dl.size)
          .header('content-disposition', contentDisposition(revisionedName(dl.name, dl.revision)))
          .header('etag', `"${dl.sha}"`)
          .header('x-lockstep-commit', dl.commit)
          .send(dl.stream);
      },
    );

    app.get(
      '/api/projects/:project/files/:path/history',
      {
        config: { access: 'read' },
        schema: {
          tags: ['files'],
          summary: 'Revisions of a file, newest first',
          params: FileParams,
          response: { 200: Type.Array(HistoryEntry), ...errors },
        },
      },
      async (req) => fileHistory(s, req.params.project, req.params.path),
    );

    app.post(
      '/api/projects/:project/files/:path/checkout',
      {
        config: { access: 'write' },
        schema: {
          tags: ['locks'],
          summary: 'Check out (lock) a file, or 409 naming the holder',
          params: FileParams,
          body: Type.Optional(CheckoutRequest),
          response: { 200: FileInfo, ...lockErrors },
        },
      },
      // The body is optional, but the type provider types it as always present.
      async (req) =>
        checkout(s, req.params.project, req.params.path, requireAuth(req).actor, (req.body as CheckoutRequest | undefined)?.message ?? ''),
    );

    app.post(
      '/api/projects/:project/files/:path/checkin',
      {
        config: { access: 'write' },
        schema: {
          tags: ['locks'],
          summary: 'Check in new content (multipart: message, bump=true, keep=false, file); lock holder only',
          consumes: ['multipart/form-data'],
          params: FileParams,
          response: { 200: FileInfo, ...lockErrors, 413: ErrorBody, 415: ErrorBody },
        },
      },
      async (req) => {
        const actor = requireAuth(req).actor;
        // Refuse before reading the upload: a non-holder's 200 MB should not reach git at all.
        await assertMayCheckin(s, req.params.project, req.params.path, actor);
        const upload = await readUpload(s, req, req.params.project);
        return checkin(s, req.params.project, req.params.path, actor, {
          message: upload.fields.message ?? '',
          bump: boolField(upload.fields, 'bump', true),
          keep: boolField(upload.fields, 'keep', false),
          allowUnchanged: boolField(upload.fields, 'allowUnchanged', false),
          blob: upload.blob,
          ifMatch: ifMatchOf(req),
        });
      },
    );

    app.post(
      '/api/projects/:project/files/:path/cancel',
      {
        config: { access: 'write' },
        schema: { tags: ['locks'], summary: 'Cancel your check-out', params: FileParams, response: { 200: FileInfo, ...lockErrors } },
      },
      async (req) => cancelCheckout(s, req.params.project, req.params.path, requireAuth(req).actor),
    );

    app.post(
      '/api/projects/:project/files/:path/override',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['locks'],
          summary: "Release someone's lock (admin, reason required)",
          params: FileParams,
          body: OverrideRequest,
          response: { 200: FileInfo, ...lockErrors },
        },
      },
      async (req) => overrideLock(s, req.params.project, req.params.path, requireAuth(req).actor, req.body.reason),
    );

    app.patch(
      '/api/projects/:project/files/:path',
      {
        config: { access: 'write' },
        schema: {
          tags: ['files'],
          summary: 'Edit metadata (lock holder or admin)',
          params: FileParams,
          body: UpdateFileRequest,
          response: { 200: FileInfo, ...errors },
        },
      },
      async (req) => updateMetadata(s, req.params.project, req.params.path, requireAuth(req).actor, req.body, ifMatchOf(req)),
    );

    app.delete(
      '/api/projects/:project/files/:path',
      {
        config: { access: 'admin' },
        schema: {
          tags: ['files'],
          summary: 'Delete a file (admin); history is kept',
          params: FileParams,
          response: { 204: Type.Null(), ...lockErrors },
        },
      },
      async (req, reply) => {
        await deleteFile(s, req.params.project, req.params.path, requireAuth(req).actor);
        return reply.status(204).send(null);
      },
    );

    app.post(
      '/api/projects/:project/links',
      {
        config: { access: 'write' },
        schema: {
          tags: ['files'],
          summary: 'Create a link to another file of the project',
          params: ProjectParams,
          body: CreateLinkRequest,
          response: { 201: FileInfo, ...lockErrors },
        },
      },
      async (req, reply) =>
        reply.status(201).send(await createLink(s, req.params.project, requireAuth(req).actor, req.body.path, req.body.target)),
    );
    // Registering routes awaits nothing; Fastify wants a plugin that returns a promise.
    return Promise.resolve();
  };
