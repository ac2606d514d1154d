/**
 * Credentials in a URL (http://user:secret@host/) are sent, never shown or stored: every URL the
 * CLI prints, records or serves to the page goes through here.
 */

const USERINFO = /\b(https?:\/\/)[^\s/?#@"'<>]*@/gi;

/** The URL with its user name and password replaced by "***"; unchanged when it has none. */
export function redactUrl(url: string): string {
  return url.includes("@") ? url.replace(USERINFO, "$1***@") : url;
}

/** Every http(s) URL in a text (a line about to be printed, an error message) redacted. */
export const redactUrlsIn = redactUrl;

/** True when a URL's credentials were redacted: it cannot be sent to as it is. */
export function isRedactedUrl(url: string): boolean {
  return /^https?:\/\/\*\*\*@/i.test(url);
}

/** The HTTP Basic credentials a URL carries, as an Authorization header value (curl's -u from the URL). */
export function basicAuthorization(url: URL): string | undefined {
  if (url.username === "" && url.password === "") return undefined;
  const user = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}
