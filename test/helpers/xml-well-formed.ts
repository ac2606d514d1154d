/**
 * A small, strict XML well-formedness checker for tests (no XML parser is installed): an XML
 * declaration, one root element, balanced and properly nested tags, quoted and unique
 * attributes with no raw `<` or `&`, only the five predefined entities or character references,
 * and no stray text outside the root. Returns the elements so tests can count and inspect them.
 */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  /** Decoded text directly inside the element. */
  text: string;
  children: XmlElement[];
}

const NAME = "[A-Za-z_][\\w.-]*";
const ENTITY = /&(?:(amp|lt|gt|quot|apos)|#(\d+)|#x([0-9a-fA-F]+));/g;

function decode(raw: string, where: string): string {
  const stray = raw.replace(ENTITY, "").match(/&/);
  if (stray) throw new Error(`unescaped "&" in ${where}: ${JSON.stringify(raw.slice(0, 80))}`);
  return raw.replace(ENTITY, (_, named: string | undefined, dec: string | undefined, hex: string | undefined) => {
    if (named) return { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" }[named as "amp"];
    const code = dec ? Number(dec) : parseInt(hex!, 16);
    const allowed = code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
    if (!allowed) throw new Error(`character reference &#${dec ?? `x${hex}`}; is not allowed in XML 1.0`);
    return String.fromCodePoint(code);
  });
}

function parseAttributes(source: string, where: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  const pattern = new RegExp(`\\s+(${NAME})\\s*=\\s*(?:"([^"]*)"|'([^']*)')`, "y");
  let rest = source;
  while (rest.trim() !== "") {
    pattern.lastIndex = 0;
    const match = pattern.exec(rest);
    if (!match) throw new Error(`malformed attributes in <${where}>: ${JSON.stringify(rest.slice(0, 80))}`);
    const [whole, name, double, single] = match;
    const value = double ?? single ?? "";
    if (value.includes("<")) throw new Error(`raw "<" in attribute ${name} of <${where}>`);
    if (name! in attributes) throw new Error(`attribute ${name} repeated in <${where}>`);
    attributes[name!] = decode(value, `attribute ${name} of <${where}>`);
    rest = rest.slice(whole.length);
  }
  return attributes;
}

/** Parses `xml` or throws an Error saying where it is not well-formed. */
export function parseWellFormedXml(xml: string): XmlElement {
  let position = 0;
  // eslint-disable-next-line no-control-regex
  const control = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/.exec(xml);
  if (control) throw new Error(`character U+${control[0].charCodeAt(0).toString(16).padStart(4, "0")} is not allowed in XML 1.0`);
  const declaration = /^<\?xml\s+version="1\.[0-9]"(\s+encoding="[A-Za-z0-9._-]+")?(\s+standalone="(yes|no)")?\s*\?>/.exec(xml);
  if (!declaration) throw new Error("no XML declaration at the very start");
  position = declaration[0].length;

  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const token = new RegExp(`<(/?)(${NAME})((?:\\s+${NAME}\\s*=\\s*(?:"[^"]*"|'[^']*'))*)\\s*(/?)>|<!--([\\s\\S]*?)-->`, "y");

  while (position < xml.length) {
    const next = xml.indexOf("<", position);
    const text = xml.slice(position, next === -1 ? xml.length : next);
    if (text !== "") {
      if (stack.length === 0) {
        if (text.trim() !== "") throw new Error(`text outside the root element: ${JSON.stringify(text.slice(0, 80))}`);
      } else {
        if (text.includes(">") && /]]>/.test(text)) throw new Error(`"]]>" in text`);
        stack.at(-1)!.text += decode(text, `text of <${stack.at(-1)!.name}>`);
      }
    }
    if (next === -1) break;
    token.lastIndex = next;
    const match = token.exec(xml);
    if (!match) throw new Error(`malformed markup at offset ${next}: ${JSON.stringify(xml.slice(next, next + 80))}`);
    position = token.lastIndex;
    const [, closing, name, attributeSource, selfClosing, comment] = match;
    if (comment !== undefined) {
      if (comment.includes("--")) throw new Error(`"--" inside a comment`);
      continue;
    }
    if (closing) {
      if (attributeSource!.trim() !== "" || selfClosing) throw new Error(`malformed closing tag </${name}>`);
      const open = stack.pop();
      if (!open || open.name !== name) throw new Error(`</${name}> closes <${open?.name ?? "nothing"}>`);
      continue;
    }
    if (root && stack.length === 0) throw new Error(`a second root element <${name}>`);
    const element: XmlElement = { name: name!, attributes: parseAttributes(attributeSource!, name!), text: "", children: [] };
    if (stack.length > 0) stack.at(-1)!.children.push(element);
    else root = element;
    if (!selfClosing) stack.push(element);
  }
  if (stack.length > 0) throw new Error(`<${stack.at(-1)!.name}> is never closed`);
  if (!root) throw new Error("no root element");
  return root;
}

/** Every element named `name` under (and including) `root`, in document order. */
export function findAll(root: XmlElement, name: string): XmlElement[] {
  const found: XmlElement[] = [];
  const walk = (element: XmlElement) => {
    if (element.name === name) found.push(element);
    element.children.forEach(walk);
  };
  walk(root);
  return found;
}
