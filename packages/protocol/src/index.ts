export * from './common.js';
export * from './users.js';
export * from './projects.js';
export * from './files.js';
export * from './audit.js';
export * from './events.js';
export * from './paths.js';
export * from './ws-client.js';
