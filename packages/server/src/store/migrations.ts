import { type ColumnDefinitionBuilder, type Kysely, type Migration, type MigrationProvider, Migrator } from 'kysely';
import type { Dialect } from './db.js';

/** One set of migrations for SQLite and PostgreSQL; only the auto-increment key differs. */
function migrations(dialect: Dialect): Record<string, Migration> {
  const serial = dialect === 'postgres' ? 'serial' : 'integer';
  const autoId = (c: ColumnDefinitionBuilder) => (dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement());
  return {
    '0001_initial': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('users')
          .addColumn('id', serial, autoId)
          .addColumn('username', 'text', (c) => c.notNull())
          .addColumn('username_key', 'text', (c) => c.notNull().unique())
          .addColumn('password_hash', 'text', (c) => c.notNull())
          .addColumn('role', 'text', (c) => c.notNull())
          .addColumn('disabled', 'integer', (c) => c.notNull().defaultTo(0))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('sessions')
          .addColumn('id_hash', 'text', (c) => c.primaryKey())
          .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('csrf_token', 'text', (c) => c.notNull())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('expires_at', 'text', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('api_tokens')
          .addColumn('id', serial, autoId)
          .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('token_hash', 'text', (c) => c.notNull().unique())
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('last_used_at', 'text')
          .execute();
        await db.schema
          .createTable('projects')
          .addColumn('slug', 'text', (c) => c.primaryKey())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
          .addColumn('created_at', 'text', (c) => c.notNull())
          .addColumn('head_commit', 'text')
          .addColumn('remote_url', 'text')
          .addColumn('remote_secret', 'text')
          .addColumn('sync_state', 'text', (c) => c.notNull().defaultTo('idle'))
          .addColumn('sync_error', 'text')
          .addColumn('last_sync_at', 'text')
          .execute();
        await db.schema
          .createTable('files')
          .addColumn('project', 'text', (c) => c.notNull().references('projects.slug').onDelete('cascade'))
          .addColumn('path', 'text', (c) => c.notNull())
          .addColumn('path_key', 'text', (c) => c.notNull())
          .addColumn('name', 'text', (c) => c.notNull())
          .addColumn('grp', 'text', (c) => c.notNull())
          .addColumn('revision', 'text', (c) => c.notNull())
          .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
          .addColumn('part_number', 'text')
          .addColumn('fields_json', 'text', (c) => c.notNull().defaultTo('{}'))
          .addColumn('size', 'bigint', (c) => c.notNull())
          .addColumn('blob_sha', 'text', (c) => c.notNull())
          .addColumn('commit_sha', 'text', (c) => c.notNull())
          .addColumn('modified_at', 'text', (c) => c.notNull())
          .addColumn('modified_by', 'text', (c) => c.notNull())
          .addColumn('link_target', 'text')
          .addPrimaryKeyConstraint('files_pk', ['project', 'path_key'])
          .execute();
        await db.schema.createIndex('files_group_path').on('files').columns(['project', 'grp', 'path']).execute();
        await db.schema.createIndex('files_modified').on('files').columns(['project', 'modified_at']).execute();
        await db.schema
          .createTable('locks')
          .addColumn('project', 'text', (c) => c.notNull().references('projects.slug').onDelete('cascade'))
          .addColumn('path_key', 'text', (c) => c.notNull())
          .addColumn('path', 'text', (c) => c.notNull())
          .addColumn('username', 'text', (c) => c.notNull())
          .addColumn('locked_at', 'text', (c) => c.notNull())
          .addColumn('message', 'text', (c) => c.notNull().defaultTo(''))
          // The lock: at most one holder per file, enforced by the database, never by a read-then-write.
          .addPrimaryKeyConstraint('locks_pk', ['project', 'path_key'])
          .execute();
        await db.schema.createIndex('locks_user').on('locks').column('username').execute();
        await db.schema
          .createTable('audit')
          .addColumn('id', serial, autoId)
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('username', 'text')
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('project', 'text')
          .addColumn('path', 'text')
          .addColumn('revision', 'text')
          .addColumn('message', 'text')
          .execute();
        await db.schema.createIndex('audit_at').on('audit').column('at').execute();
        await db.schema.createIndex('audit_project_at').on('audit').columns(['project', 'at']).execute();
      },
    },
    // The event log of the scale-out bus (events/pg-bus.ts): the per-project seq counter and the
    // last N events per project for replay. Unused (but harmless) on SQLite.
    '0002_events': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('project_event_seq')
          .addColumn('project', 'text', (c) => c.primaryKey())
          .addColumn('seq', 'bigint', (c) => c.notNull())
          .execute();
        await db.schema
          .createTable('project_events')
          .addColumn('project', 'text', (c) => c.notNull())
          .addColumn('seq', 'bigint', (c) => c.notNull())
          .addColumn('payload', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('project_events_pk', ['project', 'seq'])
          .execute();
      },
    },
    // Links join their target by path; deletes look up links to a file by path.
    '0003_files_by_path': {
      async up(db: Kysely<unknown>) {
        await db.schema.createIndex('files_project_path').on('files').columns(['project', 'path']).execute();
        await db.schema.createIndex('files_project_link').on('files').columns(['project', 'link_target']).execute();
      },
    },
    // Events are durable in both modes (the outbox); each project's stream has an epoch.
    '0004_event_epoch': {
      async up(db: Kysely<unknown>) {
        await db.schema.alterTable('project_event_seq').addColumn('epoch', 'text').execute();
      },
    },
    // Release control (SPEC "Release lifecycle"): per-file state, the revisions index, approvers,
    // notifications and the lock queue (on the file row).
    '0005_release': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .alterTable('files')
          .addColumn('state', 'text', (c) => c.notNull().defaultTo('wip'))
          .execute();
        for (const column of ['released_revision', 'released_commit', 'released_at', 'released_by', 'review_json', 'waiting_notified_at'])
          await db.schema.alterTable('files').addColumn(column, 'text').execute();
        // The lock queue: usernames, first in line first (small, read with the row on every listing).
        await db.schema
          .alterTable('files')
          .addColumn('waiting_json', 'text', (c) => c.notNull().defaultTo('[]'))
          .execute();
        await db.schema
          .alterTable('projects')
          .addColumn('approvals_required', 'integer', (c) => c.notNull().defaultTo(1))
          .execute();
        await db.schema
          .alterTable('users')
          .addColumn('approver', 'integer', (c) => c.notNull().defaultTo(0))
          .execute();
        await db.schema.alterTable('users').addColumn('email', 'text').execute();
        await db.schema
          .createTable('revisions')
          .addColumn('id', serial, autoId)
          .addColumn('project', 'text', (c) => c.notNull())
          .addColumn('path_key', 'text', (c) => c.notNull())
          .addColumn('path', 'text', (c) => c.notNull())
          .addColumn('commit_sha', 'text', (c) => c.notNull())
          .addColumn('revision', 'text', (c) => c.notNull())
          .addColumn('author', 'text', (c) => c.notNull())
          .addColumn('date', 'text', (c) => c.notNull())
          .addColumn('message', 'text', (c) => c.notNull())
          .addColumn('action', 'text', (c) => c.notNull())
          .addColumn('state', 'text', (c) => c.notNull())
          .addColumn('approvals_json', 'text')
          .execute();
        await db.schema.createIndex('revisions_by_file').on('revisions').columns(['project', 'path_key', 'id']).execute();
        await db.schema
          .createIndex('revisions_by_commit')
          .on('revisions')
          .columns(['project', 'path_key', 'commit_sha'])
          .unique()
          .execute();
        await db.schema
          .createTable('notifications')
          .addColumn('id', serial, autoId)
          .addColumn('username', 'text', (c) => c.notNull())
          .addColumn('kind', 'text', (c) => c.notNull())
          .addColumn('at', 'text', (c) => c.notNull())
          .addColumn('actor', 'text', (c) => c.notNull())
          .addColumn('project', 'text')
          .addColumn('path', 'text')
          .addColumn('message', 'text', (c) => c.notNull())
          .addColumn('read_at', 'text')
          .execute();
        await db.schema.createIndex('notifications_by_user').on('notifications').columns(['username', 'id']).execute();
      },
    },
    // Failed logins per username, whatever the address (services/login-throttle.ts): one row per
    // username with a fixed window, shared by every instance through the database.
    '0010_secure_login_failures': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .createTable('login_failures')
          .addColumn('username_key', 'text', (c) => c.primaryKey())
          .addColumn('failures', 'integer', (c) => c.notNull())
          .addColumn('window_start', 'text', (c) => c.notNull())
          .execute();
      },
    },
    // A project whose start-up reconcile failed is marked, not fatal (services/index-rebuild.ts).
    '0011_secure_project_status': {
      async up(db: Kysely<unknown>) {
        await db.schema
          .alterTable('projects')
          .addColumn('status', 'text', (c) => c.notNull().defaultTo('ok'))
          .execute();
        await db.schema.alterTable('projects').addColumn('status_error', 'text').execute();
      },
    },
  };
}

export async function migrateToLatest<DB>(db: Kysely<DB>, dialect: Dialect): Promise<void> {
  const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations(dialect)) };
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String(error)}`);
}
