// Issue 13: the wire contract is declared once, in server/contract/, and every number in it has
// a range. This reads the server and the web app with the TypeScript parser and fails on
//   - a type, interface, enum or constant named like a contract export, declared elsewhere
//     (re-exports and types derived from the contract's, e.g. `Required<X>`, are fine);
//   - a union of string literals, or an array of them, that spells out one of the contract's
//     closed sets (session kinds, end statuses, roles, …) instead of importing it;
//   - a close code of the session socket written as a number instead of its contract name;
// and walks every schema the contract exports for an integer or number without a finite range.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as closeCodes from '../../server/contract/close-codes.ts';
import * as contract from '../../server/contract/index.ts';
import * as kinds from '../../server/contract/kinds.ts';
import { FINITE_KEYWORD } from '../../server/contract/schema-kit.ts';
import { NOTICE_PREFIX } from '../../server/db/notify-registry.ts';

const REPO = resolve(import.meta.dirname, '../..');
const CONTRACT_DIR = 'server/contract';

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(join(REPO, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (rel !== 'server/db/generated') out.push(...sourceFiles(rel));
    } else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

function parse(rel: string): ts.SourceFile {
  return ts.createSourceFile(rel, readFileSync(join(REPO, rel), 'utf8'), ts.ScriptTarget.Latest, true, rel.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
}

function walk(node: ts.Node, visit: (n: ts.Node) => void): void {
  visit(node);
  node.forEachChild((c) => walk(c, visit));
}

const where = (sf: ts.SourceFile, n: ts.Node) => `${sf.fileName}:${sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1}`;

/** Names the contract declares (types, interfaces and values), read from its source. */
function contractNames(): Set<string> {
  const names = new Set<string>();
  for (const rel of sourceFiles(CONTRACT_DIR)) {
    for (const stmt of parse(rel).statements) {
      const exported = ts.canHaveModifiers(stmt) && ts.getModifiers(stmt)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
      if (!exported) continue;
      if ((ts.isTypeAliasDeclaration(stmt) || ts.isInterfaceDeclaration(stmt) || ts.isEnumDeclaration(stmt) || ts.isFunctionDeclaration(stmt)) && stmt.name) names.add(stmt.name.text);
      if (ts.isVariableStatement(stmt)) for (const d of stmt.declarationList.declarations) if (ts.isIdentifier(d.name)) names.add(d.name.text);
    }
  }
  return names;
}

/** The contract's closed sets of names with two or more members, as sorted keys. */
function contractSets(): Map<string, string> {
  const sets = new Map<string, string>();
  for (const [name, value] of Object.entries(kinds)) {
    if (Array.isArray(value) && value.length >= 2 && value.every((v) => typeof v === 'string')) sets.set([...value].sort().join('|'), name);
  }
  return sets;
}

/** A type that merely refers to others (`Required<X>`, `X['y']`, `Omit<X, 'z'>`) derives, it does not redeclare. */
function derivesFromAnotherType(type: ts.TypeNode): boolean {
  let refers = false;
  walk(type, (n) => {
    if (ts.isTypeReferenceNode(n) || ts.isIndexedAccessTypeNode(n) || ts.isTypeQueryNode(n)) refers = true;
  });
  return refers && !ts.isTypeLiteralNode(type);
}

const SOURCES = [...sourceFiles('server'), ...sourceFiles('web/src')].filter((f) => !f.startsWith(`${CONTRACT_DIR}/`));
const PARSED = SOURCES.map(parse);

describe('the wire contract is declared once (server/contract/)', () => {
  it('finds something to check (control)', () => {
    expect(SOURCES.length).toBeGreaterThan(100);
    expect(contractNames()).toContain('SessionKind');
    expect(contractSets().get('cancelled|complete|failed|interrupted')).toBe('END_STATUSES');
  });

  it('no type, interface, enum or constant named like a contract export is declared outside it', () => {
    const names = contractNames();
    const found: string[] = [];
    for (const sf of PARSED) {
      walk(sf, (n) => {
        if ((ts.isInterfaceDeclaration(n) || ts.isEnumDeclaration(n)) && names.has(n.name.text)) found.push(`${where(sf, n)} ${n.name.text}`);
        if (ts.isTypeAliasDeclaration(n) && names.has(n.name.text) && !derivesFromAnotherType(n.type)) found.push(`${where(sf, n)} type ${n.name.text}`);
        if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && names.has(n.name.text)) found.push(`${where(sf, n)} const ${n.name.text}`);
      });
    }
    expect(found).toEqual([]);
  });

  it("no union or array of string literals spells out one of the contract's closed sets", () => {
    const sets = contractSets();
    const found: string[] = [];
    const check = (sf: ts.SourceFile, n: ts.Node, members: readonly ts.Node[], literal: (m: ts.Node) => string | undefined) => {
      const values = members.map(literal);
      if (values.length < 2 || values.some((v) => v === undefined)) return;
      const set = sets.get([...new Set(values as string[])].sort().join('|'));
      if (set) found.push(`${where(sf, n)} spells out ${set}`);
    };
    for (const sf of PARSED) {
      walk(sf, (n) => {
        if (ts.isUnionTypeNode(n)) check(sf, n, n.types, (m) => (ts.isLiteralTypeNode(m) && ts.isStringLiteral(m.literal) ? m.literal.text : undefined));
        if (ts.isArrayLiteralExpression(n)) check(sf, n, n.elements, (m) => (ts.isStringLiteral(m) ? m.text : undefined));
      });
    }
    expect(found).toEqual([]);
  });

  it('no close code of the session socket is written as a bare number', () => {
    // 1000 and 4000 (the client's own codes) are too round to tell from durations; the rest are distinctive.
    const roundCodes: number[] = [closeCodes.CLOSE_NORMAL, closeCodes.CLOSE_CLIENT_RESYNC];
    const codes = new Set((Object.values(closeCodes) as unknown[]).filter((v): v is number => typeof v === 'number' && !roundCodes.includes(v)));
    const found: string[] = [];
    for (const sf of PARSED) {
      walk(sf, (n) => {
        if (ts.isNumericLiteral(n) && codes.has(Number(n.text.replaceAll('_', '')))) found.push(`${where(sf, n)} ${n.text}`);
      });
    }
    expect(found).toEqual([]);
  });
});

describe('one NOTIFY registry (server/db/notify-registry.ts)', () => {
  it('no other file spells out a NOTIFY prefix', () => {
    const prefixes = new Set<string>(Object.values(NOTICE_PREFIX));
    const found: string[] = [];
    for (const sf of PARSED) {
      if (sf.fileName === 'server/db/notify-registry.ts') continue;
      walk(sf, (n) => {
        if ((ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) && prefixes.has(n.text)) found.push(`${where(sf, n)} '${n.text}'`);
        if (ts.isTemplateExpression(n) && prefixes.has(n.head.text)) found.push(`${where(sf, n)} \`${n.head.text}…\``);
      });
    }
    expect(found).toEqual([]);
  });
});

describe('every number of the contract has a range', () => {
  /** Paths of integer/number schemas without a finite minimum and maximum and the finite check. */
  function unbounded(schema: unknown, path: string, out: string[], seen = new Set<unknown>()): void {
    if (typeof schema !== 'object' || schema === null || seen.has(schema)) return;
    seen.add(schema);
    const s = schema as Record<string, unknown>;
    const types = Array.isArray(s.type) ? s.type : [s.type];
    if (types.includes('integer') || types.includes('number')) {
      const ok = Number.isFinite(s.minimum) && Number.isFinite(s.maximum) && s[FINITE_KEYWORD] === true;
      if (!ok) out.push(path);
    }
    for (const [k, v] of Object.entries(s)) {
      if (Array.isArray(v)) v.forEach((item, i) => unbounded(item, `${path}.${k}[${i}]`, out, seen));
      else unbounded(v, `${path}.${k}`, out, seen);
    }
  }

  it('walks a schema with an unbounded number (control)', () => {
    const out: string[] = [];
    unbounded({ type: 'object', properties: { n: { type: 'number' }, i: { type: 'integer', minimum: 0, maximum: 1, [FINITE_KEYWORD]: true } } }, 'x', out);
    expect(out).toEqual(['x.properties.n']);
  });

  it('every integer and number in every exported schema', () => {
    const out: string[] = [];
    let schemas = 0;
    for (const [name, value] of Object.entries(contract)) {
      if (typeof value !== 'object' || value === null || Array.isArray(value) || !('type' in value || 'anyOf' in value)) continue;
      schemas++;
      unbounded(value, name, out);
    }
    expect(schemas).toBeGreaterThan(50);
    expect(out).toEqual([]);
  });
});

describe('request bodies refuse unknown properties (400 naming the field)', () => {
  /** Paths of object schemas in `schema` that would accept (and drop) properties they do not name. */
  function open(schema: unknown, path: string, out: string[]): void {
    if (typeof schema !== 'object' || schema === null) return;
    const s = schema as Record<string, unknown>;
    const types = Array.isArray(s.type) ? s.type : [s.type];
    if (types.includes('object') && s.properties && s.additionalProperties !== false) out.push(path);
    for (const [k, v] of Object.entries(s)) {
      if (Array.isArray(v)) v.forEach((item, i) => open(item, `${path}.${k}[${i}]`, out));
      else open(v, `${path}.${k}`, out);
    }
  }

  it('every *Body schema of the contract, nested objects included', () => {
    const out: string[] = [];
    // ErrorBody is what the server answers, not a request body.
    const bodies = Object.entries(contract).filter(([name, v]) => name.endsWith('Body') && name !== 'ErrorBody' && typeof v === 'object' && v !== null);
    expect(bodies.length).toBeGreaterThan(15);
    for (const [name, schema] of bodies) open(schema, name, out);
    expect(out).toEqual([]);
  });
});
