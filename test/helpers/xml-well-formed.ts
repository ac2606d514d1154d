/**
 * XML for tests, read by an independent parser (fast-xml-parser), not by the code that writes it.
 * fast-xml-parser's validator is lenient in a few places a strict CI reader is not, so those are
 * checked here too: the declaration, one root and nothing after it, raw `<` or `&` in an
 * attribute, entities other than XML's five, and characters XML 1.0 does not allow.
 * Returns the elements so tests can count and inspect them.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  /** Decoded text directly inside the element. */
  text: string;
  children: XmlElement[];
}

type OrderedNode = Record<string, unknown> & { ":@"?: Record<string, string>; "#text"?: string };

const NOT_XML_CHAR = /[^\t\n\r\u0020-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]/u;
const UNKNOWN_ENTITY = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);)/;

function parse(xml: string, processEntities: boolean): OrderedNode[] {
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: "",
    processEntities,
    // Also decodes character references (&#38;); entities beyond XML's five are refused before parsing.
    htmlEntities: processEntities,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
  });
  return parser.parse(xml) as OrderedNode[];
}

function nameOf(node: OrderedNode): string | undefined {
  return Object.keys(node).find((key) => key !== ":@" && key !== "#text");
}

function toElement(node: OrderedNode): XmlElement {
  const name = nameOf(node) ?? "";
  const content = (node[name] ?? []) as OrderedNode[];
  return {
    name,
    attributes: node[":@"] ?? {},
    text: content.map((child) => child["#text"] ?? "").join(""),
    children: content.filter((child) => nameOf(child) !== undefined).map(toElement),
  };
}

function rawAttributeValues(nodes: OrderedNode[]): string[] {
  return nodes.flatMap((node) => {
    const name = nameOf(node);
    const own = Object.values(node[":@"] ?? {});
    return name === undefined ? own : [...own, ...rawAttributeValues((node[name] ?? []) as OrderedNode[])];
  });
}

export function parseWellFormedXml(xml: string): XmlElement {
  if (!/^<\?xml\s/.test(xml)) throw new Error("no XML declaration");
  const verdict = XMLValidator.validate(xml);
  if (verdict !== true) throw new Error(`not well-formed: ${verdict.err.msg} (line ${verdict.err.line})`);
  if (NOT_XML_CHAR.test(xml)) throw new Error("a character XML 1.0 does not allow");
  for (const [, reference] of xml.matchAll(/&#(x[0-9a-fA-F]+|\d+);/g)) {
    const code = reference?.startsWith("x") ? parseInt(reference.slice(1), 16) : Number(reference);
    if (NOT_XML_CHAR.test(String.fromCodePoint(code))) throw new Error(`character reference &#${reference}; is not allowed in XML 1.0`);
  }
  if (UNKNOWN_ENTITY.test(xml)) throw new Error("an unescaped & or an entity XML does not define");
  const raw = parse(xml, false);
  if (rawAttributeValues(raw).some((value) => value.includes("<"))) throw new Error("a raw < in an attribute value");
  const top = parse(xml, true).filter((node) => nameOf(node) !== "?xml");
  const roots = top.filter((node) => nameOf(node) !== undefined);
  const [root] = roots;
  if (roots.length !== 1 || !root) throw new Error(`${roots.length} root elements`);
  if (!/>\s*$/.test(xml) || top.some((node) => (node["#text"] ?? "").trim() !== "")) throw new Error("text outside the root element");
  return toElement(root);
}

/** Every element with this name, depth first. */
export function findAll(root: XmlElement, name: string): XmlElement[] {
  return [...(root.name === name ? [root] : []), ...root.children.flatMap((child) => findAll(child, name))];
}
