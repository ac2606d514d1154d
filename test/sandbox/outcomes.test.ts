import { describe, expect, it } from "vitest";
import { OutcomeConflictError } from "../../src/sandbox/errors.js";
import { jobOutcomes } from "../../src/sandbox/outcomes.js";
import { thrown } from "../helpers/thrown.js";

describe("jobOutcomes", () => {
  it("gives the jobs that fail and those pending before their result as a connect request's outcomes; none when every job succeeds", () => {
    expect(jobOutcomes({ fail: ["income"], pending: ["paystubs", "shifts"] })).toEqual({ income: "error", paystubs: "pending", shifts: "pending" });
    expect(jobOutcomes({})).toBeUndefined();
    expect(jobOutcomes({ fail: [], pending: [] })).toBeUndefined();
  });

  it("refuses a job named in both, with the job as data and neither list's name", () => {
    const error = thrown(() => jobOutcomes({ fail: ["identity", "income"], pending: ["income"] }));
    expect(error).toBeInstanceOf(OutcomeConflictError);
    expect(error).toMatchObject({ job: "income", message: "income is named both to fail and to be pending" });
  });
});
