// Small TypeBox helpers shared by the contract's schemas.
import { Kind, Type, TypeRegistry, type SchemaOptions, type TSchema, type TUnsafe } from '@sinclair/typebox';
import { MAX_SEQ } from './limits.ts';

const STRING_ENUM = 'StringEnum';
if (!TypeRegistry.Has(STRING_ENUM)) {
  TypeRegistry.Set<{ enum: string[] }>(STRING_ENUM, (schema, value) => typeof value === 'string' && schema.enum.includes(value));
}

/**
 * A string from a closed set, as plain JSON Schema `enum` (Ajv says "must be equal to one of
 * the allowed values"), also checkable with TypeBox's own Value/TypeCompiler.
 */
export function StringEnum<const T extends readonly string[]>(values: T, options: SchemaOptions = {}): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, [Kind]: STRING_ENUM, type: 'string', enum: [...values] });
}

/** An object that refuses unknown properties (the API answers 400 naming the field). */
export const Strict = { additionalProperties: false } as const;

/**
 * Ajv's type coercion turns the query string `1e309` into Infinity and then skips
 * minimum/maximum for non-finite numbers, so every integer of the contract also carries
 * this keyword; `ajvFinite` (below) teaches Fastify's Ajv to check it.
 */
export const FINITE_KEYWORD = 'finite';

/** Registers FINITE_KEYWORD on an Ajv instance (Fastify: `ajv: { plugins: [ajvFinite] }`). */
interface FiniteKeyword {
  keyword: string;
  schemaType: 'boolean';
  errors: false;
  validate: (on: boolean, data: unknown) => boolean;
}
export function ajvFinite<A extends { addKeyword(def: FiniteKeyword): A }>(ajv: A): A {
  return ajv.addKeyword({
    keyword: FINITE_KEYWORD,
    schemaType: 'boolean',
    errors: false,
    validate: (on: boolean, data: unknown) => !on || typeof data !== 'number' || Number.isFinite(data),
  });
}

/** An integer with a range, always: nothing out of range reaches an integer column. */
export const Int = (minimum: number, maximum: number, options: SchemaOptions = {}) => Type.Integer({ minimum, maximum, [FINITE_KEYWORD]: true, ...options });

/** A seq or `after` cursor: 0 … MAX_SEQ. */
export const Seq = (options: SchemaOptions = {}) => Int(0, MAX_SEQ, options);

/** A JSON body that may also be absent (or `null`): `{}` and no body mean the same. */
export function OptionalBody<T extends TSchema>(schema: T): TUnsafe<import('@sinclair/typebox').Static<T> | null> {
  return Type.Unsafe({ ...schema, type: ['object', 'null'] });
}

export const IsoTime = (options: SchemaOptions = {}) => Type.String({ format: 'date-time', ...options });
