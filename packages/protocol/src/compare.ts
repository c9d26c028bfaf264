import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Nullable } from './common.js';

/** Compare two revisions of a file, and preview one. */

export const DiffQuery = Type.Object(
  {
    from: Type.Optional(Type.String({ maxLength: 64, description: 'revision label or commit id; default: the previous revision' })),
    to: Type.Optional(Type.String({ maxLength: 64, description: 'revision label or commit id; default: the latest revision' })),
    ignoreFormatting: Type.Optional(
      Type.Boolean({
        default: true,
        description: 'G-code: sequence numbers, comments, blank lines, spacing, case and number formatting are not differences',
      }),
    ),
  },
  { additionalProperties: false },
);
export type DiffQuery = Static<typeof DiffQuery>;

export const DiffKind = Type.Union([Type.Literal('text'), Type.Literal('gcode'), Type.Literal('binary')]);
export type DiffKind = Static<typeof DiffKind>;

/** One side of a comparison. */
export const DiffSide = Type.Object({
  commit: Type.String(),
  revision: Type.String(),
  date: Type.String(),
  author: Type.String(),
  size: Type.Integer(),
  /** Git object id of the content (a content hash: equal content, equal id). */
  sha: Type.String(),
});
export type DiffSide = Static<typeof DiffSide>;

export const DiffLine = Type.Object({
  op: Type.Union([Type.Literal(' '), Type.Literal('+'), Type.Literal('-')]),
  /** The original text (for a context line: the new side's). */
  text: Type.String(),
  /** Context line whose old text differs only in formatting: the old side's original text. */
  oldText: Type.Optional(Type.String()),
  /** 1-based line numbers in the original files. */
  oldLine: Type.Optional(Type.Integer()),
  newLine: Type.Optional(Type.Integer()),
});
export type DiffLine = Static<typeof DiffLine>;

export const DiffHunk = Type.Object({
  oldStart: Type.Integer(),
  oldLines: Type.Integer(),
  newStart: Type.Integer(),
  newLines: Type.Integer(),
  lines: Type.Array(DiffLine),
});
export type DiffHunk = Static<typeof DiffHunk>;

const Axes = Type.Object({ x: Nullable(Type.Number()), y: Nullable(Type.Number()), z: Nullable(Type.Number()) });
export const Extent = Type.Object({ min: Axes, max: Axes });
export type Extent = Static<typeof Extent>;

const BeforeAfter = <T extends TSchema>(t: T) => Type.Object({ before: t, after: t });

/** What a programmer checks first in a changed NC program. */
export const GcodeSummary = Type.Object({
  tools: Type.Object({
    before: Type.Array(Type.Number()),
    after: Type.Array(Type.Number()),
    added: Type.Array(Type.Number()),
    removed: Type.Array(Type.Number()),
  }),
  spindleSpeeds: BeforeAfter(Type.Array(Type.Number())),
  feeds: BeforeAfter(Type.Array(Type.Number())),
  workOffsets: BeforeAfter(Type.Array(Type.String())),
  programNumbers: BeforeAfter(Type.Array(Type.String())),
  units: BeforeAfter(Nullable(Type.String())),
  extent: Type.Object({ before: Type.Union([Extent, Type.Null()]), after: Type.Union([Extent, Type.Null()]), changed: Type.Boolean() }),
  /** One line for people, e.g. "T5 removed, T7 added; S8000→9500; F500→650; extent unchanged". */
  text: Type.String(),
});
export type GcodeSummary = Static<typeof GcodeSummary>;

export const MetadataChange = Type.Object({
  /** description, partNumber, state, or fields.<name> */
  field: Type.String(),
  before: Nullable(Type.String()),
  after: Nullable(Type.String()),
});
export type MetadataChange = Static<typeof MetadataChange>;

export const FileDiff = Type.Object(
  {
    path: Type.String(),
    /** Null when `to` is the first revision: everything is added. */
    from: Type.Union([DiffSide, Type.Null()]),
    to: DiffSide,
    kind: DiffKind,
    ignoreFormatting: Type.Boolean(),
    identical: Type.Boolean({ description: 'no differences (after normalisation for G-code)' }),
    hunks: Type.Array(DiffHunk),
    added: Type.Integer({ description: 'lines added' }),
    removed: Type.Integer({ description: 'lines removed' }),
    /** False when the files were too different to align line by line in time: one replacement hunk. */
    aligned: Type.Boolean(),
    /** True when the hunks were cut at the line limit. */
    truncated: Type.Boolean(),
    summary: Type.Union([GcodeSummary, Type.Null()]),
    /** One line for people: "binary files differ", "3 lines changed; T5 removed…". */
    message: Type.String(),
    metadata: Type.Array(MetadataChange),
  },
  { $id: 'FileDiff' },
);
export type FileDiff = Static<typeof FileDiff>;

export const PreviewQuery = Type.Object(
  {
    rev: Type.Optional(Type.String({ maxLength: 64, description: 'revision label or commit id; default: the latest' })),
    as: Type.Optional(
      Type.Union([Type.Literal('auto'), Type.Literal('text'), Type.Literal('toolpath')], {
        description: 'auto (default): what the browser can show; toolpath: G-code as moves (JSON)',
      }),
    ),
  },
  { additionalProperties: false },
);
export type PreviewQuery = Static<typeof PreviewQuery>;

/** A run of connected moves of one kind; points are flattened x,y,z triples. */
export const ToolpathMove = Type.Object({
  rapid: Type.Boolean(),
  tool: Nullable(Type.Number()),
  /** 1-based line of the block that starts the run. */
  line: Type.Integer(),
  points: Type.Array(Type.Number()),
});
export type ToolpathMove = Static<typeof ToolpathMove>;

export const Toolpath = Type.Object(
  {
    units: Nullable(Type.String()),
    bounds: Type.Union([Type.Object({ min: Type.Array(Type.Number()), max: Type.Array(Type.Number()) }), Type.Null()]),
    moves: Type.Array(ToolpathMove),
    segments: Type.Integer(),
    /** Past the point limit the rest of the program is not drawn. */
    truncated: Type.Boolean(),
  },
  { $id: 'Toolpath' },
);
export type Toolpath = Static<typeof Toolpath>;
