const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * A body's JSON text, read one way by `listen` and the library, so that they answer the same
 * bytes alike: UTF-8 as RFC 8259 requires, a leading byte order mark ignored (TextDecoder drops it
 * from bytes; a string keeps it, so it is dropped here). Throws on bytes that are not UTF-8: a
 * lossy decode would parse, and store as valid, text that was never sent.
 */
export function jsonText(body: string | Uint8Array | ArrayBuffer): string {
  if (typeof body === "string") return body.charCodeAt(0) === 0xfeff ? body.slice(1) : body;
  try {
    return utf8.decode(body);
  } catch {
    throw new TypeError("the bytes are not UTF-8");
  }
}
