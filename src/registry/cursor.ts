/** Opaque to clients; inside, the creation sequence number after which the next page starts. */
export function encodeCursor(afterSeq: number): string {
  return Buffer.from(JSON.stringify({ after: afterSeq }), "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): number | undefined {
  try {
    const parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as { after?: unknown };
    return typeof parsed.after === "number" && Number.isInteger(parsed.after) && parsed.after >= 0 ? parsed.after : undefined;
  } catch {
    return undefined;
  }
}
