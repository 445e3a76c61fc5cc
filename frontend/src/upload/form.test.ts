import { describe, expect, it } from "vitest";
import { checkExamDate, parseSpacing, toFormData, validateUpload, type UploadFormInput } from "./form";

const png = () => new File([new Uint8Array([137, 80, 78, 71])], "frame.png", { type: "image/png" });
const TODAY = new Date(2026, 10, 26);

function input(overrides: Partial<UploadFormInput> = {}): UploadFormInput {
  return {
    hospital: "3",
    file: png(),
    spacingRow: "",
    spacingCol: "",
    reportedGaDays: "",
    examDate: "",
    ...overrides,
  };
}

describe("parseSpacing", () => {
  it.each(["0", "0.0", "-0.2", "-1"])("rejects %s: a pixel has a size greater than zero", (text) => {
    expect(parseSpacing(text)).toEqual({ ok: false, error: "The spacing must be greater than 0 mm." });
  });

  it.each(["NaN", "abc", "Infinity", "0.2mm", "1..2", "."])("rejects %s as not a number", (text) => {
    expect(parseSpacing(text)).toEqual({ ok: false, error: "Enter the spacing as a number of millimetres, e.g. 0.25." });
  });

  it("rejects a spacing no ultrasound pixel has (micrometres typed as millimetres)", () => {
    expect(parseSpacing("262")).toMatchObject({ ok: false });
  });

  it("accepts a positive number, with a decimal point or a decimal comma", () => {
    expect(parseSpacing("0.262")).toEqual({ ok: true, value: 0.262 });
    expect(parseSpacing(" 0,25 ")).toEqual({ ok: true, value: 0.25 });
    expect(parseSpacing("2.5e-1")).toEqual({ ok: true, value: 0.25 });
  });

  it("treats an empty box as not given", () => {
    expect(parseSpacing("  ")).toEqual({ ok: true, value: undefined });
  });
});

describe("validateUpload", () => {
  it("refuses to send a zero, negative or non-numeric spacing, naming the field", () => {
    const result = validateUpload(input({ spacingRow: "0", spacingCol: "NaN" }), TODAY);
    expect(result).toEqual({
      ok: false,
      errors: {
        spacingRow: "The spacing must be greater than 0 mm.",
        spacingCol: "Enter the spacing as a number of millimetres, e.g. 0.25.",
      },
    });

    expect(validateUpload(input({ spacingRow: "-0.3", spacingCol: "0.3" }), TODAY)).toMatchObject({
      ok: false,
      errors: { spacingRow: "The spacing must be greater than 0 mm." },
    });
  });

  it("asks for both spacings or neither", () => {
    expect(validateUpload(input({ spacingRow: "0.3" }), TODAY)).toEqual({
      ok: false,
      errors: { spacingCol: "Enter both spacings, or leave both empty to use the file's own." },
    });
  });

  it("asks for the spacing of a PNG or JPEG, which carries none", () => {
    const message = "A PNG or JPEG image carries no pixel size: enter both spacings.";
    expect(validateUpload(input(), TODAY)).toEqual({ ok: false, errors: { spacingRow: message, spacingCol: message } });
    const jpeg = new File([new Uint8Array([255, 216])], "FRAME.JPG", { type: "image/jpeg" });
    expect(validateUpload(input({ file: jpeg }), TODAY)).toMatchObject({ ok: false, errors: { spacingRow: message } });
  });

  it("lets a DICOM file go without a spacing, to use its own", () => {
    const dicom = new File([new Uint8Array([68, 73, 67, 77])], "scan.dcm");
    expect(validateUpload(input({ file: dicom }), TODAY)).toEqual({ ok: true, value: { hospital: 3, file: dicom } });
  });

  it("requires a hospital and an accepted, non-empty file", () => {
    const result = validateUpload(input({ hospital: "", file: new File(["x"], "report.pdf") }), TODAY);
    expect(result).toMatchObject({
      ok: false,
      errors: {
        hospital: "Choose the hospital.",
        file: "This file type is not accepted: choose a .dcm, .png or .jpg file.",
      },
    });
    expect(validateUpload(input({ file: null }), TODAY)).toMatchObject({ errors: { file: expect.any(String) } });
    expect(validateUpload(input({ file: new File([], "empty.dcm") }), TODAY)).toMatchObject({
      errors: { file: "The file is empty." },
    });
  });

  it("checks the reported GA and the exam date", () => {
    const result = validateUpload(input({ reportedGaDays: "400", examDate: "2026-02-30" }), TODAY);
    expect(result).toMatchObject({ ok: false, errors: { reportedGaDays: expect.any(String), examDate: expect.any(String) } });
    expect(checkExamDate("2026-11-27", TODAY)).toEqual({ ok: false, error: "The exam date cannot be in the future." });
  });

  it("gives the typed request when everything is valid", () => {
    const file = png();
    const result = validateUpload(
      input({ file, spacingRow: "0.25", spacingCol: "0,3", reportedGaDays: "84", examDate: "2026-11-20" }),
      TODAY,
    );
    expect(result).toEqual({
      ok: true,
      value: { hospital: 3, file, spacingRowMm: 0.25, spacingColMm: 0.3, reportedGaDays: 84, examDate: "2026-11-20" },
    });
  });
});

describe("toFormData", () => {
  it("names the fields as the API does and leaves out what was not given", () => {
    const file = png();
    const form = toFormData({ hospital: 3, file, spacingRowMm: 0.25, spacingColMm: 0.3 });
    expect([...form.keys()]).toEqual(["hospital", "file", "spacing_row_mm", "spacing_col_mm"]);
    expect(form.get("hospital")).toBe("3");
    expect(form.get("spacing_row_mm")).toBe("0.25");
    expect((form.get("file") as File).name).toBe("frame.png");
  });
});
