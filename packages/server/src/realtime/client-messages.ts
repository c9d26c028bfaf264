import { ClientMessage } from '@lockstep/protocol';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import type { TSchema } from '@sinclair/typebox';
import type { RawData } from 'ws';

const checkClientMessage = TypeCompiler.Compile(ClientMessage);
/** One checker per message type, so a bad field is reported against its own type, not "no union member matched". */
const checkByType = new Map<string, TypeCheck<TSchema>>(
  ClientMessage.anyOf.map((member) => [member.properties.type.const as string, TypeCompiler.Compile(member)]),
);

export type ParsedClientMessage = { ok: true; message: ClientMessage } | { ok: false; code: string; message: string };

/** Validates one client frame against the protocol; every failure becomes an `error` reply, not a disconnect. */
export function parseClientMessage(data: RawData, isBinary: boolean): ParsedClientMessage {
  if (isBinary) return { ok: false, code: 'binary_not_supported', message: 'send JSON text frames' };
  let value: unknown;
  try {
    value = JSON.parse(frameText(data));
  } catch {
    return { ok: false, code: 'invalid_json', message: 'frame is not valid JSON' };
  }
  if (checkClientMessage.Check(value)) return { ok: true, message: value };
  const type = typeof value === 'object' && value !== null ? (value as { type?: unknown }).type : undefined;
  const check = typeof type === 'string' ? checkByType.get(type) : undefined;
  // Never stringify a non-string `type`: {toString: 0} throws, deep arrays overflow the stack.
  const label = typeof type === 'string' ? type.slice(0, 40) : typeof type;
  if (!check) return { ok: false, code: 'unknown_type', message: `unknown message type: ${label}` };
  const first = check.Errors(value).First();
  const detail = first ? `${first.path || '/'} ${first.message}` : 'invalid';
  // `check` was found by `type`, so `label` is the (short) type name itself.
  return { ok: false, code: 'invalid_message', message: `${label}: ${detail}` };
}

/** A frame's text; ws hands text frames over as one Buffer (binaryType 'nodebuffer'), the other shapes for completeness. */
export function frameText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString();
  return Buffer.isBuffer(data) ? data.toString() : Buffer.from(data).toString();
}
