// C0 and C1 controls (ESC starts terminal escape sequences; CR and LF can forge whole lines) and
// the bidirectional overrides that can reorder what a terminal shows.
// eslint-disable-next-line no-control-regex
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
// eslint-disable-next-line no-control-regex
const UNPRINTABLE_BUT_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function escaped(character: string): string {
  const code = character.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16).padStart(4, "0")}`;
}

/**
 * Text that arrived in a request (or an answer), made safe to print as one field of a line:
 * anyone who can reach the receiver chooses it, so it must not move the cursor, recolour the
 * terminal or start a fake log line.
 */
export function printable(text: string): string {
  return text.replace(UNPRINTABLE, escaped);
}

/** The same for a block of text shown on its own lines (a body): line breaks and tabs stay. */
export function printableBlock(text: string): string {
  return text.replace(UNPRINTABLE_BUT_LINES, escaped);
}

// What JSON.stringify leaves raw that a terminal still acts on: C1 controls, the bidirectional
// overrides, and the line and paragraph separators. JSON text holds them only inside strings.
const RAW_IN_JSON = /[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON text (--json output) with those characters written as \u escapes: the same JSON to a
 * parser, nothing a terminal acts on when it is read there.
 */
export function terminalSafeJson(json: string): string {
  return json.replace(RAW_IN_JSON, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`);
}

