/**
 * Secrets a handler may have meant: the one it used with stray whitespace or quotes removed
 * (a .env file, a YAML value, `echo` into a secret store), or another secret the developer has.
 * Descriptions never contain the secret itself.
 */

export type SecretChange = "secret_whitespace" | "secret_quotes" | "other_secret";

export interface LabelledSecret {
  /** Where it comes from, e.g. "the config file's api-secret": shown to the user. */
  label: string;
  secret: string;
}

export interface SecretVariant {
  secret: string;
  change: SecretChange;
  /** "removed": the verifier's secret has the stray characters; "added": the signer's had them. */
  direction?: "removed" | "added";
  /** Says what differs from the secret that was used, without showing either. */
  description: string;
  /** For other_secret: where the matching secret comes from. */
  label?: string;
}

const WHITESPACE_NAMES: Record<string, string> = {
  " ": "space",
  "\t": "tab",
  "\n": "newline",
  "\r": "carriage return",
  "\u00a0": "non-breaking space",
  "\ufeff": "byte-order mark",
};

function describeWhitespace(text: string): string {
  const counts = new Map<string, number>();
  for (const ch of text) {
    const name = WHITESPACE_NAMES[ch] ?? `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, "0")}`;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  return [...counts].map(([name, n]) => (n === 1 ? `a ${name}` : `${n} ${name}s`)).join(" and ");
}

function whitespaceDescription(secret: string, trimmed: string): string {
  const start = secret.indexOf(trimmed);
  const leading = secret.slice(0, start);
  const trailing = secret.slice(start + trimmed.length);
  const parts: string[] = [];
  if (leading) parts.push(`${describeWhitespace(leading)} at the start`);
  if (trailing) parts.push(`${describeWhitespace(trailing)} at the end`);
  return parts.join(" and ");
}

const QUOTES = ['"', "'", "`"];
const QUOTE_NAMES: Record<string, string> = { '"': "double quotes", "'": "single quotes", "`": "backticks" };

function unquote(text: string): { inner: string; quote: string } | undefined {
  const quote = text[0];
  if (text.length >= 2 && quote !== undefined && QUOTES.includes(quote) && text.endsWith(quote)) {
    return { inner: text.slice(1, -1), quote };
  }
  return undefined;
}

/** The used secret cleaned of stray whitespace and of quotes around it, each cleaning once. */
export function cleanedSecrets(secret: string): SecretVariant[] {
  const variants: SecretVariant[] = [];
  const trimmed = secret.trim();
  if (trimmed !== secret && trimmed !== "") {
    variants.push({ secret: trimmed, change: "secret_whitespace", direction: "removed", description: whitespaceDescription(secret, trimmed) });
  }
  const quoted = unquote(trimmed);
  if (quoted) {
    const inner = quoted.inner.trim();
    const extras = [trimmed !== secret ? whitespaceDescription(secret, trimmed) : "", inner !== quoted.inner ? "whitespace inside the quotes" : ""]
      .filter(Boolean)
      .join(" and ");
    if (inner !== "") {
      variants.push({
        secret: inner,
        change: "secret_quotes",
        direction: "removed",
        description: `${QUOTE_NAMES[quoted.quote]} around it${extras ? `, and ${extras}` : ""}`,
      });
    }
  }
  return variants;
}

/**
 * The used secret as a careless signer had it: with the newline of the file it was read from, or
 * the quotes of a .env value. Catches a test sender (pinwheel-cli itself, a script) that signed wrong.
 */
export function dirtiedSecrets(secret: string): SecretVariant[] {
  if (secret !== secret.trim() || unquote(secret)) return [];
  return [
    { secret: `${secret}\n`, change: "secret_whitespace", direction: "added", description: "a newline at the end" },
    { secret: `${secret}\r\n`, change: "secret_whitespace", direction: "added", description: "a carriage return and a newline at the end" },
    { secret: `"${secret}"`, change: "secret_quotes", direction: "added", description: "double quotes around it" },
  ];
}

/** Other known secrets, skipping any that equal the used one or one of its cleaned forms. */
export function otherSecrets(used: string, candidates: readonly LabelledSecret[]): SecretVariant[] {
  const known = new Set([used, ...cleanedSecrets(used).map((variant) => variant.secret)]);
  const variants: SecretVariant[] = [];
  for (const candidate of candidates) {
    if (candidate.secret === "" || known.has(candidate.secret)) continue;
    known.add(candidate.secret);
    variants.push({ secret: candidate.secret, change: "other_secret", description: candidate.label, label: candidate.label });
  }
  return variants;
}
