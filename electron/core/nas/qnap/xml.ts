// QTS answers XML `<QDocRoot>` documents (values in CDATA or bare text, one element or many for
// the same tag). This module turns a body into a plain tree of strings and refuses anything else
// with a typed error: truncated documents, HTML error pages, DOCTYPE tricks, wrong shapes.
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { AppError } from '../../../../shared/errors';

export type XmlNode = { [key: string]: XmlValue };
export type XmlValue = string | XmlNode | XmlValue[];

const parser = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  // QTS never uses a DOCTYPE (refused below); the five XML entities still decode.
  processEntities: true,
  htmlEntities: false,
});

/** A response Nasdeck cannot read: same code everywhere, the endpoint and the problem in details. */
export function badResponse(endpoint: string, problem: string): AppError {
  return new AppError('INTERNAL', `The NAS sent a response Nasdeck cannot read from ${endpoint}: ${problem}.`, {
    vendor: 'qnap',
    endpoint,
    problem,
  });
}

/** Parses a QTS XML body and returns the content of `<QDocRoot>`. */
export function parseQDoc(body: string, endpoint: string): XmlNode {
  const head = body.trimStart().slice(0, 512).toLowerCase();
  if (head.startsWith('<!doctype html') || head.startsWith('<html') || /<html[\s>]/.test(head))
    throw badResponse(endpoint, 'an HTML page instead of XML (is this the QTS admin port?)');
  if (/<!doctype/i.test(body)) throw badResponse(endpoint, 'a DOCTYPE declaration, which QTS never sends');
  if (!head.startsWith('<')) throw badResponse(endpoint, 'not XML');
  const valid = XMLValidator.validate(body);
  if (valid !== true) throw badResponse(endpoint, `malformed XML (${valid.err.msg} at line ${valid.err.line})`);
  let doc: unknown;
  try {
    doc = parser.parse(body);
  } catch (err) {
    throw badResponse(endpoint, `malformed XML (${(err as Error).message})`);
  }
  const root = (doc as Record<string, unknown> | null)?.QDocRoot;
  if (root === undefined) throw badResponse(endpoint, 'no <QDocRoot> element');
  if (root === '') return {};
  if (!isNode(root)) throw badResponse(endpoint, '<QDocRoot> is not an element');
  return root;
}

export function isNode(v: unknown): v is XmlNode {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Reads one document with typed accessors; every failure names the endpoint and the path. */
export class QDoc {
  constructor(
    readonly root: XmlNode,
    readonly endpoint: string,
  ) {}

  fail(path: string, problem: string): never {
    throw badResponse(this.endpoint, `${path} ${problem}`);
  }

  /** A child element (object), or null when absent or empty. Fails on a repeated or text value. */
  node(parent: XmlNode, key: string, path = key): XmlNode | null {
    const v = parent[key];
    if (v === undefined || v === '') return null;
    if (isNode(v)) return v;
    return this.fail(path, Array.isArray(v) ? 'is repeated where one element was expected' : 'is text, not an element');
  }

  /** Every child element with this tag: one or many, as QTS sends both shapes. Empty ones are skipped. */
  list(parent: XmlNode | null, key: string, path = key): XmlNode[] {
    if (!parent) return [];
    const v = parent[key];
    if (v === undefined) return [];
    const items = Array.isArray(v) ? v : [v];
    return items.flatMap((item) => {
      if (item === '') return [];
      if (isNode(item)) return [item];
      return this.fail(path, 'is text, not an element');
    });
  }

  /** Text of a child, or null when absent. Fails on an element where text was expected. */
  text(parent: XmlNode | null, key: string, path = key): string | null {
    if (!parent) return null;
    const v = parent[key];
    if (v === undefined) return null;
    if (typeof v === 'string') return v;
    if (isNode(v) && Object.keys(v).length === 0) return '';
    return this.fail(path, Array.isArray(v) ? 'is repeated where one value was expected' : 'is an element, not text');
  }

  /** Text that must be there. */
  need(parent: XmlNode | null, key: string, path = key): string {
    const v = this.text(parent, key, path);
    if (v === null) return this.fail(path, 'is missing');
    return v;
  }

  /** A decimal number, or null when absent or empty. Fails on text that is not a number. */
  num(parent: XmlNode | null, key: string, path = key): number | null {
    const v = this.text(parent, key, path);
    if (v === null || v.trim() === '') return null;
    const n = Number(v.trim());
    if (!Number.isFinite(n)) return this.fail(path, `is "${v.slice(0, 40)}", not a number`);
    return n;
  }
}
