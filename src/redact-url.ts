/**
 * Credentials in a URL (http://user:secret@host/) are sent, never shown or stored: every URL the
 * CLI prints, records or serves to the page goes through here.
 */

// In a text, a URL's userinfo ends at its last "@" before whitespace, a path, a query or a
// fragment; a double quote or an angle bracket ends the URL itself (JSON, HTML), and a
// backslash escapes the next character (a password's quote in JSON stays inside).
const USERINFO = /\b(https?:\/\/)(?:[^\s/?#@"<>\\]|\\.)*@/gi;
const WHOLE_URL = /^(https?:\/\/)([^/?#]*)(.*)$/is;

/**
 * The URL with its user name and password replaced by "***"; unchanged when it has none. A URL on
 * its own is cut at its authority's last "@", whatever the password holds (a quote, a space).
 */
export function redactUrl(url: string): string {
  if (!url.includes("@")) return url;
  const whole = WHOLE_URL.exec(url);
  if (whole) {
    const [, scheme, authority = "", rest = ""] = whole;
    const at = authority.lastIndexOf("@");
    return at < 0 ? url : `${scheme}***@${authority.slice(at + 1)}${rest}`;
  }
  return redactUrlsIn(url);
}

/** Every http(s) URL in a text (a line about to be printed, an error message) redacted. */
export function redactUrlsIn(text: string): string {
  return text.includes("@") ? text.replace(USERINFO, "$1***@") : text;
}

/**
 * A URL as it was typed, perhaps not a valid one (a bad port, another scheme, a space), with
 * everything before its authority's last "@" hidden: for an error message about the value itself.
 */
export function redactTypedUrl(value: string): string {
  const schemeEnd = value.indexOf("://");
  const start = schemeEnd < 0 ? 0 : schemeEnd + 3;
  const afterScheme = value.slice(start);
  const authorityEnd = afterScheme.search(/[/?#]/);
  const authority = authorityEnd < 0 ? afterScheme : afterScheme.slice(0, authorityEnd);
  const at = authority.lastIndexOf("@");
  return at < 0 ? value : `${value.slice(0, start)}***@${afterScheme.slice(at + 1)}`;
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
