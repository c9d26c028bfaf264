/** NC program reading for compare and preview: blocks, program facts, toolpath. Pure: no I/O. */
export { looksLikeGcode, readBlock, readProgram, splitLines, type Block, type Program } from './blocks.js';
export { compareFacts, programFacts, type ProgramFacts } from './facts.js';
export { toolpathOf } from './toolpath.js';
