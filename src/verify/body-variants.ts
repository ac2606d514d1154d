/**
 * The bodies a handler may have verified instead of the bytes Pinwheel signed: the same JSON
 * re-serialized by a framework or a language's JSON library, or the raw bytes with a trailing
 * newline gained or lost on the way (an editor saving the body to a file, a `.trim()`).
 */

export type BodyChange = "body_trailing_newline" | "body_reserialized";

export interface BodyVariant {
  bytes: Uint8Array;
  change: BodyChange;
  /** Completes "The signature matches the body ...". */
  description: string;
}

interface Layout {
  phrase: string;
  indent: string;
  itemSeparator: string;
  keySeparator: string;
}

// The layouts real JSON libraries produce: JSON.stringify with and without indentation,
// and Python's json.dumps (", " and ": " by default), which backend code often uses.
const LAYOUTS: readonly Layout[] = [
  { phrase: "compact (no spaces)", indent: "", itemSeparator: ",", keySeparator: ":" },
  { phrase: "with 2-space indentation", indent: "  ", itemSeparator: ",", keySeparator: ": " },
  { phrase: "with 4-space indentation", indent: "    ", itemSeparator: ",", keySeparator: ": " },
  { phrase: "with tab indentation", indent: "\t", itemSeparator: ",", keySeparator: ": " },
  { phrase: 'with Python\'s default separators (", " and ": ")', indent: "", itemSeparator: ", ", keySeparator: ": " },
];

/**
 * Above this size only the trailing-newline variants are tried: each variant costs an HMAC over
 * the body per candidate secret and timestamp. Pinwheel's events are a few kilobytes.
 */
export const MAX_RESERIALIZED_BYTES = 256 * 1024;

interface Style {
  layout: Layout;
  sortKeys: boolean;
  escapeNonAscii: boolean;
}

function stringLiteral(text: string, escapeNonAscii: boolean): string {
  const literal = JSON.stringify(text);
  // eslint-disable-next-line no-control-regex -- the ASCII range, NUL included, is the point
  return escapeNonAscii ? literal.replace(/[^\x00-\x7f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`) : literal;
}

function serialize(value: unknown, style: Style, depth: number): string {
  const { layout } = style;
  const wrap = (open: string, close: string, items: string[]): string => {
    if (items.length === 0) return open + close;
    if (!layout.indent) return open + items.join(layout.itemSeparator) + close;
    const inner = "\n" + layout.indent.repeat(depth + 1);
    return open + inner + items.join(layout.itemSeparator + inner) + "\n" + layout.indent.repeat(depth) + close;
  };
  if (Array.isArray(value)) return wrap("[", "]", value.map((item) => serialize(item, style, depth + 1)));
  if (typeof value === "object" && value !== null) {
    const keys = Object.keys(value);
    if (style.sortKeys) keys.sort();
    return wrap(
      "{",
      "}",
      keys.map((key) => stringLiteral(key, style.escapeNonAscii) + layout.keySeparator + serialize((value as Record<string, unknown>)[key], style, depth + 1)),
    );
  }
  if (typeof value === "string") return stringLiteral(value, style.escapeNonAscii);
  return JSON.stringify(value);
}

function describeStyle(style: Style, newline: boolean): string {
  const parts = [`re-serialized ${style.layout.phrase}`];
  if (style.sortKeys) parts.push("keys sorted");
  if (style.escapeNonAscii) parts.push("non-ASCII characters escaped as \\uXXXX");
  if (newline) parts.push("with a trailing newline");
  return parts.join(", ");
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

function parseJson(raw: Uint8Array): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(Buffer.from(raw).toString("utf8")) };
  } catch {
    return { ok: false };
  }
}

function trailingNewlineVariant(raw: Uint8Array): BodyVariant {
  const text = Buffer.from(raw);
  let end = text.length;
  while (end > 0 && (text[end - 1] === 0x0a || text[end - 1] === 0x0d)) end--;
  if (end < text.length) {
    return { bytes: text.subarray(0, end), change: "body_trailing_newline", description: "without its trailing newline" };
  }
  return { bytes: Buffer.concat([text, Buffer.from("\n")]), change: "body_trailing_newline", description: "with a trailing newline added" };
}

export interface BodyVariants {
  variants: BodyVariant[];
  /** Whether the body parsed as JSON, so that re-serializations could be tried. */
  json: boolean;
  /** How many distinct re-serializations were tried. */
  reserializations: number;
}

/** Every distinct alternative body, the raw bytes themselves excluded. */
export function bodyVariants(raw: Uint8Array): BodyVariants {
  const variants: BodyVariant[] = [trailingNewlineVariant(raw)];
  const parsed = raw.length <= MAX_RESERIALIZED_BYTES ? parseJson(raw) : { ok: false as const };
  if (!parsed.ok) return { variants, json: false, reserializations: 0 };

  // eslint-disable-next-line no-control-regex -- the ASCII range, NUL included, is the point
  const hasNonAscii = /[^\x00-\x7f]/.test(Buffer.from(raw).toString("utf8"));
  let reserializations = 0;
  for (const layout of LAYOUTS) {
    for (const sortKeys of [false, true]) {
      for (const escapeNonAscii of hasNonAscii ? [false, true] : [false]) {
        const style = { layout, sortKeys, escapeNonAscii };
        const text = serialize(parsed.value, style, 0);
        for (const newline of [false, true]) {
          const bytes = Buffer.from(newline ? text + "\n" : text, "utf8");
          if (sameBytes(bytes, raw) || variants.some((variant) => sameBytes(variant.bytes, bytes))) continue;
          variants.push({ bytes, change: "body_reserialized", description: describeStyle(style, newline) });
          reserializations++;
        }
      }
    }
  }
  return { variants, json: true, reserializations };
}
