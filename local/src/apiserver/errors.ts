// Errors as the real API server reports them: a `kind: Status` body with reason and code, so
// clients (client-node's ApiException.body, kubectl, helm) parse and branch on them.
import type { JsonObject, ResourceDef } from './types.js';

export interface StatusCause {
  reason: string;
  message: string;
  field?: string;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: JsonObject,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toStatus(): JsonObject {
    const status: JsonObject = {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: this.message, reason: this.reason, code: this.code,
    };
    if (this.details) status.details = this.details;
    return status;
  }
}

/** `statefulsets.apps` / `pods`: the qualified resource name the real server puts in messages. */
export function qualified(def: ResourceDef): string {
  return def.group ? `${def.plural}.${def.group}` : def.plural;
}

function details(def: ResourceDef, name: string): JsonObject {
  const d: JsonObject = { name, kind: def.plural };
  if (def.group) d.group = def.group;
  return d;
}

export function notFound(def: ResourceDef, name: string): ApiError {
  return new ApiError(404, 'NotFound', `${qualified(def)} "${name}" not found`, details(def, name));
}

export function alreadyExists(def: ResourceDef, name: string): ApiError {
  return new ApiError(409, 'AlreadyExists', `${qualified(def)} "${name}" already exists`, details(def, name));
}

export function conflict(def: ResourceDef, name: string, why?: string): ApiError {
  const text = why ?? 'the object has been modified; please apply your changes to the latest version and try again';
  return new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${qualified(def)} "${name}": ${text}`,
    details(def, name));
}

export function badRequest(message: string): ApiError {
  return new ApiError(400, 'BadRequest', message);
}

export function forbidden(def: ResourceDef, name: string, why: string): ApiError {
  return new ApiError(403, 'Forbidden', `${qualified(def)} "${name}" is forbidden: ${why}`, details(def, name));
}

export function gone(message: string): ApiError {
  return new ApiError(410, 'Expired', message);
}

export function methodNotAllowed(message: string): ApiError {
  return new ApiError(405, 'MethodNotAllowed', message);
}

export function unsupportedMediaType(message: string): ApiError {
  return new ApiError(415, 'UnsupportedMediaType', message);
}

/** 422 with one cause per bad field, formatted like apimachinery's field.ErrorList. */
export function invalid(def: ResourceDef, name: string, causes: StatusCause[]): ApiError {
  const kind = def.group ? `${def.kind}.${def.group}` : def.kind;
  const parts = causes.map((c) => (c.field ? `${c.field}: ${c.message}` : c.message));
  const list = parts.length === 1 ? parts[0] : `[${parts.join(', ')}]`;
  const d: JsonObject = { name, kind: def.kind, causes: causes.map((c) => ({ ...c })) };
  if (def.group) d.group = def.group;
  return new ApiError(422, 'Invalid', `${kind} "${name}" is invalid: ${list}`, d);
}

/** A field-level problem, collected by validators before they are turned into one 422. */
export interface FieldError {
  field: string;
  reason: 'FieldValueInvalid' | 'FieldValueRequired' | 'FieldValueNotSupported' | 'FieldValueTypeInvalid'
    | 'FieldValueForbidden' | 'FieldValueDuplicate' | 'FieldValueTooLong' | 'FieldValueTooMany';
  detail: string;
}

export function toCause(e: FieldError): StatusCause {
  return { reason: e.reason, message: e.detail, field: e.field };
}

/** Go-style rendering of a bad value inside "Invalid value: ..." messages. */
export function showValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'object') return Array.isArray(v) ? '"array"' : '"object"';
  return String(v);
}

export function fieldInvalid(field: string, value: unknown, why: string): FieldError {
  return { field, reason: 'FieldValueInvalid', detail: `Invalid value: ${showValue(value)}: ${why}` };
}

export function fieldRequired(field: string): FieldError {
  return { field, reason: 'FieldValueRequired', detail: 'Required value' };
}

export function fieldForbidden(field: string, why: string): FieldError {
  return { field, reason: 'FieldValueForbidden', detail: `Forbidden: ${why}` };
}
