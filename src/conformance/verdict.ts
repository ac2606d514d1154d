export type Verdict = "pass" | "fail" | "warn";
