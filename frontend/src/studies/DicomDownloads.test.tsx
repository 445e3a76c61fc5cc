import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { FrameDetail, FrameSummary, MaskSummary } from "./api";
import { DicomDownloads } from "./DicomDownloads";

function mask(id: number, kind: MaskSummary["kind"], version: number): MaskSummary {
  return {
    id,
    kind,
    version,
    parent: null,
    model_version: kind === "model" ? { id: 1, kind: "segmentation", version: "0.1" } : null,
    created_by: null,
    area_px: 200,
    created_at: "",
    image_url: `/api/masks/${id}/image/`,
  } as MaskSummary;
}

const frame = (source: FrameSummary["source"]) => ({ id: 9, source }) as FrameSummary;

function detail(extra: Partial<FrameDetail> = {}): FrameDetail {
  return {
    masks: [mask(11, "model", 1), mask(12, "expert", 2)],
    latest_assessment: { id: 1, mask: 11, p_good: 0.9, label: "good" },
    latest_measurement: { id: 1, mask: 11, crl_mm: 45 },
    ...extra,
  } as FrameDetail;
}

const links = () => screen.queryAllByRole("link").map((a) => [a.textContent, a.getAttribute("href")]);

describe("the DICOM downloads of a frame", () => {
  it("offers the SR of the result and a SEG of every mask, expert corrections included", () => {
    render(<DicomDownloads frame={frame("dicom")} detail={detail()} />);

    expect(links()).toEqual([
      ["SR (CRL, GA, quality)", "/api/frames/9/sr/"],
      ["SEG (model mask v1)", "/api/masks/11/seg/"],
      ["SEG (expert correction v2)", "/api/masks/12/seg/"],
    ]);
    expect(screen.getByRole("link", { name: "SR (CRL, GA, quality)" }).hasAttribute("download")).toBe(true);
  });

  it("offers no SR while there is no measurement to report", () => {
    render(<DicomDownloads frame={frame("dicom")} detail={detail({ latest_measurement: null })} />);

    expect(links().map(([name]) => name)).toEqual(["SEG (model mask v1)", "SEG (expert correction v2)"]);
  });

  it("offers nothing for a PNG upload, which has no DICOM image to reference", () => {
    render(<DicomDownloads frame={frame("png")} detail={detail()} />);

    expect(links()).toEqual([]);
  });
});
