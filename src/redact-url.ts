/**
 * Credentials in a URL (http://user:secret@host/) are sent, never shown or stored: every URL the
 * CLI prints, records or serves to the page goes through here.
 */

// In a text, a URL's userinfo ends at its last "@" before whitespace, a path, a query or a
// fragment; a double quote or an angle bracket ends the URL itself (JSON, HTML), and a
// backslash escapes the next character (a password's quote in JSON stays inside).
// The slashes after the scheme may be missing or too many ("http:u:p@h", "http:///u:p@h"): a URL
// parser reads what follows as the authority all the same.
const USERINFO = /\b(https?:[/\\]*)(?:[^\s/?#@"<>\\]|\\.)*@/gi;
const WHOLE_URL = /^(https?:[/\\]*)([^/?#\\]*)(.*)$/is;

/**
 * The URL with its user name and password replaced by "***"; unchanged when it has none. A URL on
 * its own is cut at its authority's last "@", whatever the password holds (a quote, a space); one
 * that does not parse, as redactTypedUrl does.
 */
export function redactUrl(url: string): string {
  if (!url.includes("@")) return url;
  const whole = WHOLE_URL.exec(url);
  // Not an http(s) URL (a bad port, a password with a "/", another scheme): where its userinfo
  // ends cannot be told, so everything up to the last "@" is hidden.
  if (!whole || !URL.canParse(url)) return redactTypedUrl(url);
  const [, scheme, authority = "", rest = ""] = whole;
  const at = authority.lastIndexOf("@");
  return at < 0 ? url : `${scheme}***@${authority.slice(at + 1)}${rest}`;
}

/** Every http(s) URL in a text (a line about to be printed, an error message) redacted. */
export function redactUrlsIn(text: string): string {
  return text.includes("@") ? text.replace(USERINFO, "$1***@") : text;
}

// A typed value's scheme as a URL parser reads it: "http:", "https:///", "http:\\", or any
// scheme followed by "//". Kept in the message; a bare "user:" with no slashes is not a scheme here.
const TYPED_SCHEME = /^\s*(?:(?:https?|wss?|ftp|file):[/\\]*|[a-z][a-z0-9+.-]*:\/\/)/i;

/**
 * A URL as it was typed, perhaps not a valid one (a bad port, another scheme, a space), with
 * everything between its scheme and its last "@" hidden: for an error message about the value
 * itself. Where a password ends cannot be told from an invalid URL (WHATWG reads "http:///u:p@h"
 * and "http:u:p@h" as userinfo, and a password may hold an unencoded "/", "?" or "#"), so any "@"
 * counts: "http://h/a@b" shows as "http://***@b", which hides nothing the person typing needs.
 */
export function redactTypedUrl(value: string): string {
  const at = value.lastIndexOf("@");
  if (at < 0) return value;
  const scheme = TYPED_SCHEME.exec(value.slice(0, at))?.[0] ?? "";
  return `${scheme}***@${value.slice(at + 1)}`;
}

/** A URL's user name or password percent-decoded; undefined when it holds a "%" that is no escape. */
export function decodedUserinfo(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

/** True when a URL's credentials were redacted: it cannot be sent to as it is. */
export function isRedactedUrl(url: string): boolean {
  return /^https?:\/\/\*\*\*@/i.test(url);
}

/** The HTTP Basic credentials a URL carries, as an Authorization header value (curl's -u from the URL). */
export function basicAuthorization(url: URL): string | undefined {
  if (url.username === "" && url.password === "") return undefined;
  // A bare "%" (refused by the URL options, possible from elsewhere) is sent as written.
  const user = decodedUserinfo(url.username) ?? url.username;
  const password = decodedUserinfo(url.password) ?? url.password;
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}
