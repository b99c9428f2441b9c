// Hand-written argument checks for coach tools. Models send almost-right JSON often enough
// that every failure has to name the field and what was expected, so the model can retry.

export type ArgResult<T> = { ok: true; value: T } | { ok: false; reason: string };

export type Args = Record<string, unknown>;

export function parseArgs(rawArgs: string): ArgResult<Args> {
  const text = rawArgs.trim() === '' ? '{}' : rawArgs;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    return { ok: false, reason: `Arguments are not valid JSON (${(e as Error).message}).` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { ok: false, reason: 'Arguments must be a JSON object.' };
  }
  return { ok: true, value: parsed as Args };
}

export class ArgError extends Error {}

/** Reads fields of one call; the first problem throws ArgError, which execute() turns into a reason. */
export class ArgReader {
  constructor(private readonly args: Args) {}

  string(name: string, opts: { max?: number; allowEmpty?: boolean } = {}): string {
    const v = this.args[name];
    if (typeof v !== 'string') throw new ArgError(`"${name}" is required and must be a string.`);
    return this.checkString(name, v, opts);
  }

  optionalString(name: string, opts: { max?: number; allowEmpty?: boolean } = {}): string | undefined {
    const v = this.args[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw new ArgError(`"${name}" must be a string.`);
    return this.checkString(name, v, opts);
  }

  oneOf<T extends string>(name: string, values: readonly T[]): T {
    const v = this.args[name];
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
      throw new ArgError(`"${name}" must be one of ${values.map((x) => `"${x}"`).join(', ')}.`);
    }
    return v as T;
  }

  optionalOneOf<T extends string>(name: string, values: readonly T[]): T | undefined {
    return this.args[name] === undefined || this.args[name] === null ? undefined : this.oneOf(name, values);
  }

  optionalInteger(name: string, opts: { min?: number; max?: number } = {}): number | undefined {
    const v = this.args[name];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) throw new ArgError(`"${name}" must be a whole number.`);
    if ((opts.min !== undefined && v < opts.min) || (opts.max !== undefined && v > opts.max)) throw new ArgError(`"${name}" must be between ${opts.min ?? '-∞'} and ${opts.max ?? '∞'}.`);
    return v;
  }

  array(name: string, opts: { min?: number; max?: number } = {}): unknown[] {
    const v = this.args[name];
    if (!Array.isArray(v)) throw new ArgError(`"${name}" is required and must be an array.`);
    if (opts.min !== undefined && v.length < opts.min) throw new ArgError(`"${name}" needs at least ${opts.min} item(s).`);
    if (opts.max !== undefined && v.length > opts.max) throw new ArgError(`"${name}" takes at most ${opts.max} items.`);
    return v;
  }

  /** Rejects fields the schema doesn't have: a misspelt optional field would otherwise be silently ignored. */
  noOthers(allowed: readonly string[]): void {
    const extra = Object.keys(this.args).filter((k) => !allowed.includes(k));
    if (extra.length > 0) throw new ArgError(`Unknown argument(s): ${extra.map((k) => `"${k}"`).join(', ')}. Allowed: ${allowed.join(', ') || 'none'}.`);
  }

  private checkString(name: string, v: string, opts: { max?: number; allowEmpty?: boolean }): string {
    if (!opts.allowEmpty && v.trim() === '') throw new ArgError(`"${name}" must not be empty.`);
    if (opts.max !== undefined && v.length > opts.max) throw new ArgError(`"${name}" is ${v.length} characters; the limit is ${opts.max}.`);
    return v;
  }
}

export function objectReader(value: unknown, where: string): ArgReader {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ArgError(`${where} must be an object.`);
  return new ArgReader(value as Args);
}
