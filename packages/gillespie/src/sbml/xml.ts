/**
 * XML reading for the SBML importer: fast-xml-parser (validated first, order preserved) turned into a small element
 * tree with namespace-resolved names.
 *
 * @packageDocumentation
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ArgumentTypeError } from '../errors.ts';
import { SbmlError } from './errors.ts';

/** An XML element: local name, namespace URI, raw attributes, ordered children and text. */
export interface XNode {
  readonly name: string;
  readonly ns: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly XNode[];
  /** Text content, in document order, split around child elements (e.g. `['1', '3']` around `<sep/>`). */
  readonly text: readonly string[];
}

type Ordered = Record<string, unknown> & { ':@'?: Record<string, string> };

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  removeNSPrefix: false,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  processEntities: true,
  htmlEntities: false,
});

const MAX_DEPTH = 200;

function convert(item: Ordered, scope: Readonly<Record<string, string>>, depth: number): XNode | string | null {
  if (depth > MAX_DEPTH) throw new SbmlError('xml', undefined, `elements nested deeper than ${MAX_DEPTH} levels`);
  const keys = Object.keys(item).filter((k) => k !== ':@');
  if (keys.length !== 1) return null;
  const key = keys[0];
  if (key === '#text') return String(item[key]);
  if (key === '#comment' || key.startsWith('?') || key.startsWith('!')) return null;
  const rawAttrs = item[':@'] ?? {};
  const attrs: Record<string, string> = {};
  let nsScope = scope;
  for (const [name, value] of Object.entries(rawAttrs)) {
    const text = String(value);
    attrs[name] = text;
    if (name === 'xmlns') nsScope = { ...nsScope, '': text };
    else if (name.startsWith('xmlns:')) nsScope = { ...nsScope, [name.slice(6)]: text };
  }
  const colon = key.indexOf(':');
  const prefix = colon < 0 ? '' : key.slice(0, colon);
  const name = colon < 0 ? key : key.slice(colon + 1);
  const ns = nsScope[prefix] ?? '';
  const children: XNode[] = [];
  const text: string[] = [];
  const content = item[key];
  if (Array.isArray(content)) {
    for (const child of content as Ordered[]) {
      const converted = convert(child, nsScope, depth + 1);
      if (typeof converted === 'string') {
        if (converted.trim() !== '') text.push(converted.trim());
      } else if (converted) {
        children.push(converted);
      }
    }
  }
  return { name, ns, attrs, children, text };
}

/** 1-based line and column just after the last character of `text`. */
function endPosition(text: string): { line: number; column: number } {
  const lines = text.split(/\r?\n/);
  return { line: lines.length, column: lines[lines.length - 1].length + 1 };
}

/**
 * The message for a validation error of fast-xml-parser, with a real line and column. The validator reports
 * elements left open at the end of the document at line 1, column 1 (or at the open tag), and a document without
 * any element with no position at all; both point here at the end of the text, where the problem shows.
 */
function describeXmlError(xml: string, err: { msg: string; line?: unknown; col?: unknown }): string {
  const end = endPosition(xml);
  const unclosedOne = /^Unclosed tag '(.+)'\.$/.exec(err.msg);
  const unclosedMany = /^Invalid '\[(.*)\]' found\.$/.exec(err.msg);
  if (unclosedOne || unclosedMany) {
    const names = unclosedOne ? [unclosedOne[1]] : [...unclosedMany![1].matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]);
    const opened = unclosedOne ? ` (opened at line ${err.line}, column ${err.col})` : '';
    const list = names.map((n) => `<${n}>`).join(' > ');
    return `malformed XML at line ${end.line}, column ${end.column}: the document ends while ${list}${opened} ${names.length === 1 ? 'is' : 'are'} still open (is the file truncated?)`;
  }
  if (typeof err.line !== 'number' || typeof err.col !== 'number') {
    return `malformed XML at line ${end.line}, column ${end.column}: ${err.msg}`;
  }
  return `malformed XML at line ${err.line}, column ${err.col}: ${err.msg}`;
}

/**
 * Checks that `xml` is well-formed and returns its root element. Throws {@link SbmlError} (element `xml`) with the
 * line and column of the first problem.
 *
 * @example
 * ```ts
 * parseXml('<sbml level="3" version="2"/>').attrs.level; // '3'
 * ```
 */
export function parseXml(xml: string): XNode {
  if (typeof xml !== 'string') throw new ArgumentTypeError('xml', `SBML text must be a string; got ${typeof xml}`);
  if (xml.trim() === '') throw new SbmlError('xml', undefined, 'the document is empty');
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new SbmlError('xml', undefined, describeXmlError(xml, valid.err));
  let parsed: Ordered[];
  try {
    parsed = parser.parse(xml) as Ordered[];
  } catch (error) {
    throw new SbmlError('xml', undefined, `malformed XML: ${(error as Error).message}`);
  }
  const roots: XNode[] = [];
  for (const item of parsed) {
    const node = convert(item, {}, 0);
    if (node && typeof node !== 'string') roots.push(node);
  }
  if (roots.length !== 1) throw new SbmlError('xml', undefined, `expected one root element; found ${roots.length}`);
  return roots[0];
}

/** The child elements of `node` called `name` (any namespace). */
export function childrenNamed(node: XNode, name: string): XNode[] {
  return node.children.filter((c) => c.name === name);
}

/** The single child called `name`, or undefined; throws when there are several. */
export function childNamed(node: XNode, name: string, owner: string, ownerId: string | undefined): XNode | undefined {
  const found = childrenNamed(node, name);
  if (found.length > 1) throw new SbmlError(owner, ownerId, `has ${found.length} <${name}> elements; expected at most one`);
  return found[0];
}
