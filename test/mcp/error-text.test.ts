import { describe, expect, it } from "vitest";
import { wordError } from "../../src/cli/word-error.js";
import { ConformanceError } from "../../src/conformance/index.js";
import { ReplayError } from "../../src/delivery/replay-error.js";
import { applyOverrides, buildEvent } from "../../src/events/build.js";
import { CliError } from "../../src/errors.js";
import { toolErrorText } from "../../src/mcp/server.js";
import { OutcomeConflictError } from "../../src/sandbox/errors.js";
import { MissingRequestError } from "../../src/store/missing-request.js";
import { StoreError } from "../../src/store/store-error.js";
import { parseNow } from "../../src/verify/subject.js";
import { SubjectError } from "../../src/verify/subject-error.js";
import { thrown } from "../helpers/thrown.js";


describe("the MCP server words the core's errors in its tool arguments", () => {
  it("an override: the argument of simulate_event, where the CLI says its flag", () => {
    const bad = thrown(() => buildEvent("paystubs.added", { set: [{ path: "payload.nope", value: 1 }] }));
    expect(toolErrorText(bad)).toMatch(/^"set" payload\.nope: paystubs\.added has no such field; .* \(use "add" for a new field\)$/);
    const noUser = thrown(() => applyOverrides({ event: "custom.thing", event_id: "e", payload: {} }, { endUserId: "u" }));
    expect(toolErrorText(noUser)).toBe('"end_user_id": custom.thing has no payload.end_user_id');
    expect(wordError(noUser)?.message).toBe("--end-user-id: custom.thing has no payload.end_user_id");
  });

  it("the store: another file is another --db for the server, never the CLI's PINWHEEL_CLI_DB advice", () => {
    const unwritable = new StoreError({ kind: "unwritable", file: "/ro/x.db", detail: "EROFS" });
    expect(toolErrorText(unwritable)).toBe("cannot write the event database at /ro/x.db (EROFS); start the server with --db <path>");
  });

  it("a stored request that is not there: list_requests shows what is, where the CLI says events list", () => {
    const missing = new MissingRequestError("42");
    expect(toolErrorText(missing)).toBe('no stored request with id or event_id "42"; list_requests shows what is stored');
    expect(wordError(missing)).toEqual({ message: 'no stored request with id or event_id "42"; see "pinwheel-cli events list"', exitCode: 1 });
  });

  it("a time to check against that is not one: the \"now\" argument, where the CLI says --now; a body stored cut short is the same failed work", () => {
    const unreadable = thrown(() => parseNow("noon"));
    expect(toolErrorText(unreadable)).toBe('"now" noon: expected an ISO date/time such as 2026-11-23T10:00:00Z, or Unix seconds');
    expect(wordError(unreadable)).toEqual({ message: "--now noon: expected an ISO date/time such as 2026-11-23T10:00:00Z, or Unix seconds", exitCode: 2 });
    const truncated = new SubjectError({ kind: "body_truncated", requestId: 3, bodySize: 2_000_000 });
    const words = "request #3's body was stored truncated (2000000 bytes received), so its signature cannot be checked";
    expect(toolErrorText(truncated)).toBe(words);
    expect(wordError(truncated)).toEqual({ message: words, exitCode: 1 });
  });

  it("a named request replay refuses: how to send it anyway in the tool's arguments, where the CLI says its flags", () => {
    const unverified = new ReplayError({ kind: "unverified", requestId: 5, verification: "bad_signature" });
    const why = "request 5 was not verified when it arrived (bad_signature); re-signing would give it a valid signature";
    expect(toolErrorText(unverified)).toBe(`${why}. Set "include_unverified" to send it anyway, or "as_recorded" to send its original headers`);
    expect(wordError(unverified)).toEqual({ message: `${why}. Pass --include-unverified to send it anyway, or --as-recorded to send its original headers`, exitCode: 2 });
    const rejected = new ReplayError({ kind: "rejected", requestId: 7, rejection: "the body is not valid JSON" });
    const rejectedWhy = "request 7 was rejected by listen after its signature verified (it is not a Pinwheel event); re-signing would send it to the app as one";
    expect(toolErrorText(rejected)).toBe(`${rejectedWhy}. Set "include_rejected" to send it anyway, or "as_recorded" to send its original headers`);
    expect(wordError(rejected)).toEqual({ message: `${rejectedWhy}. Pass --include-rejected to send it anyway, or --as-recorded to send its original headers`, exitCode: 2 });
    const truncated = new ReplayError({ kind: "body_truncated", requestId: 6 });
    const words = "request 6 cannot be replayed: its body was over 1 MiB and only the first MiB is stored";
    expect(toolErrorText(truncated)).toBe(words);
    expect(wordError(truncated)).toEqual({ message: words, exitCode: 1 });
  });

  it("a job both to fail and pending: \"fail\" and \"pending\", where the CLI says --fail and --pending", () => {
    const both = new OutcomeConflictError("income");
    expect(toolErrorText(both)).toBe('"fail" and "pending" both name income; a job is pending then settles, or it fails');
    expect(wordError(both)).toEqual({ message: "--fail and --pending both name income; a job is pending then settles, or it fails", exitCode: 2 });
  });

  it("the conformance suite's refusal to start: state_url as the argument is called", () => {
    expect(toolErrorText(new ConformanceError("state_url", "http://127.0.0.1:1/state", "answered 404"))).toBe('"state_url" http://127.0.0.1:1/state: answered 404');
    expect(toolErrorText(new ConformanceError("unreachable", "http://127.0.0.1:1/", "ECONNREFUSED"))).toBe("nothing answered at http://127.0.0.1:1/ (ECONNREFUSED); is your app running there?");
    expect(toolErrorText(new ConformanceError("no_http", "http://127.0.0.1:2/", "UND_ERR_SOCKET: other side closed"))).toMatch(
      /^no HTTP answer from http:\/\/127\.0\.0\.1:2\/ \(UND_ERR_SOCKET: other side closed\); something there took the connection but gave no HTTP answer/,
    );
  });
});

describe("toolErrorText and credentials", () => {
  it("hides a URL's password in any error, including one the URL parser would read from a triple slash", () => {
    expect(toolErrorText(new CliError("cannot reach http:///deploy:hunter2@127.0.0.1:9/x: refused"))).toBe("cannot reach http:///***@127.0.0.1:9/x: refused");
    expect(toolErrorText(new Error("socket hang up at https://deploy:hunter2@127.0.0.1/"))).toBe("unexpected failure: socket hang up at https://***@127.0.0.1/");
  });
});
