import type { ForwardView, RequestSummary } from "./types.js";

const VERDICT_WORDS: Record<string, string> = {
  verified: "Verified",
  skipped: "Not checked (--skip-verify)",
  not_checked: "Rejected",
  missing_signature: "Missing signature",
  malformed_signature: "Malformed signature",
  bad_signature: "Bad signature",
  missing_timestamp: "Missing timestamp",
  malformed_timestamp: "Malformed timestamp",
  stale_timestamp: "Stale timestamp",
};

export function verdictWords(verification: string): string {
  return VERDICT_WORDS[verification] ?? verification.replace(/_/g, " ");
}

/** "ok", "warn" or "bad": the colour of a verdict. */
export function verdictTone(request: Pick<RequestSummary, "verification" | "status_code">): "ok" | "warn" | "bad" {
  if (request.verification === "verified") return request.status_code < 300 ? "ok" : "warn";
  if (request.verification === "skipped") return "warn";
  return "bad";
}

/** The verdict with its reason, e.g. "Stale timestamp: timestamp 3,612 s old; tolerance 300 s". */
export function verdictSentence(request: Pick<RequestSummary, "verification" | "verification_detail" | "rejection">): string {
  if (request.verification === "not_checked") return `Rejected: ${request.rejection ?? "refused before its signature was checked"}`;
  // Signed, and still refused: a body that is no Pinwheel event (400).
  if (request.verification === "verified" && request.rejection) return `Signature verified, then rejected: ${request.rejection}`;
  const words = verdictWords(request.verification);
  return request.verification_detail ? `${words}: ${request.verification_detail}` : words;
}

export function clockTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleTimeString(undefined, { hour12: false });
}

export function dateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : `${date.toLocaleString(undefined, { hour12: false })}`;
}

export function duration(ms: number | null): string {
  if (ms === null) return "";
  return ms < 1000 ? `${ms < 10 ? ms.toFixed(1) : Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function shortId(id: string | null, length = 8): string {
  if (!id) return "";
  return id.length > length + 1 ? `${id.slice(0, length)}…` : id;
}

export function forwardText(forward: ForwardView | null): { text: string; tone: "ok" | "bad" | "pending" | "none"; title: string } {
  if (!forward) return { text: "", tone: "none", title: "" };
  if (forward.pending) return { text: "…", tone: "pending", title: `forwarding to ${forward.url ?? "the app"}` };
  if (forward.status_code !== null) {
    return { text: String(forward.status_code), tone: forward.ok ? "ok" : "bad", title: `${forward.url ?? ""} answered ${forward.status_code} in ${duration(forward.duration_ms)}` };
  }
  return { text: "error", tone: "bad", title: forward.error ?? "the forward failed" };
}

export function count(n: number): string {
  return n.toLocaleString("en-US");
}
