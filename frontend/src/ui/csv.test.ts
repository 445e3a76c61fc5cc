import { describe, expect, it } from "vitest";
import { csvCell, toCsv } from "./csv";

describe("CSV of a table", () => {
  it("quotes what needs quoting and disarms formulas", () => {
    expect(toCsv(["a", "b"], [["x, y", 'say "hi"'], [null, 3], ["=SUM(A1)", "-3 d"]])).toBe(
      'a,b\r\n"x, y","say ""hi"""\r\n,3\r\n\'=SUM(A1),-3 d\r\n',
    );
    expect(csvCell("@cmd")).toBe("'@cmd");
  });
});
