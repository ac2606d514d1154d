import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { withThousands } from "../src/thousands.js";

describe("withThousands", () => {
  it("writes what toLocaleString('en-US') writes, for integers of every size and sign", () => {
    for (const value of [0, 7, 999, 1000, 12_345, 300, 1_234_567, -1_000, -999, 2 ** 53 - 1]) {
      expect(withThousands(value)).toBe(value.toLocaleString("en-US"));
    }
    fc.assert(fc.property(fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), (value) => withThousands(value) === value.toLocaleString("en-US")));
  });

  it("keeps a fraction as it is, and leaves what is not a plain number alone", () => {
    expect(withThousands(1234.5)).toBe("1,234.5");
    expect(withThousands(Number.NaN)).toBe("NaN");
    expect(withThousands(1e21)).toBe("1e+21");
  });
});
