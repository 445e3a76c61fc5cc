import { act, fireEvent, screen } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { answer, fakeServer, renderPage, type Handler } from "../test/render";
import type { FrameDetail, FrameSummary, StudyDetail } from "./api";
import { liveText, StudyPage } from "./StudyPage";

function frame(id: number, status: FrameSummary["status"], extra: Partial<FrameSummary> = {}): FrameSummary {
  return {
    id,
    frame_number: id,
    width: 64,
    height: 48,
    spacing_row_mm: 0.2,
    spacing_col_mm: 0.2,
    source: "png",
    created_at: "2025-01-01T00:00:00Z",
    status,
    reason: null,
    p_good: null,
    label: null,
    reasons: null,
    image_url: `/api/frames/${id}/image/`,
    ...extra,
  };
}

function study(frames: FrameSummary[]): StudyDetail {
  return {
    id: 7,
    hospital: { id: 3, name: "St Mary", slug: "st-mary" },
    machine: { id: 2, manufacturer: "Phantom Medical", model_name: "PX-1" },
    patient_key: "x",
    exam_date: "2025-03-04",
    reported_ga_days: 80,
    created_at: "2025-01-01T00:00:00Z",
    frame_count: frames.length,
    quality: null,
    status: null,
    good_frames: 0,
    poor_frames: 0,
    unknown_frames: 0,
    in_flight_frames: 0,
    lowest_p_good: null,
    frames,
  };
}

function detail(summary: FrameSummary, measurement: Partial<NonNullable<FrameDetail["latest_measurement"]>> = {}): FrameDetail {
  return {
    ...summary,
    study: 7,
    hospital: { id: 3, name: "St Mary", slug: "st-mary" },
    spacing_source: "request",
    masks: [
      {
        id: 100 + summary.id,
        kind: "model",
        version: 1,
        parent: null,
        model_version: { id: 1, kind: "segmentation", version: "0.1" },
        created_by: null,
        area_px: 200,
        created_at: "",
        image_url: `/api/masks/${100 + summary.id}/image/`,
      },
    ],
    latest_assessment: null,
    dating: { fit: true, reason: null },
    latest_measurement: {
      id: 1,
      mask: 100 + summary.id,
      crl_mm: 45,
      p1: { row: 10, col: 10 },
      p2: { row: 30, col: 50 },
      ga_days: 81.5,
      formula: "robinson",
      in_formula_range: true,
      created_at: "",
      ...measurement,
    },
  };
}

let server: ReturnType<typeof fakeServer>;
const serve = (handler: Handler) => (server = fakeServer(handler));
const studyCalls = () => server.paths().filter((path) => path === "/api/studies/7/").length;
/**
 * Moves the clock on, then 100 ms more in small steps, so every answer (happy-dom reads bodies on
 * timers), render and query notification that follows happens.
 */
async function tick(ms: number) {
  await act(() => vi.advanceTimersByTimeAsync(ms));
  for (let i = 0; i < 10; i++) await act(() => vi.advanceTimersByTimeAsync(10));
}

function open() {
  return renderPage(<StudyPage />, { path: "/studies/7", pattern: "/studies/:id" });
}

const card = (n: number) => document.querySelectorAll<HTMLElement>(".frame-card")[n]!;
const thumbnails = () => Array.from(document.querySelectorAll<HTMLButtonElement>(".filmstrip-item"));
const choose = (frameId: number) => fireEvent.click(document.querySelector(`.filmstrip-item[data-frame-id="${frameId}"]`)!);
const text = (root: ParentNode, selector: string) => root.querySelector(selector)?.textContent;

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("the study page", () => {
  it("mutes a poor frame's GA as not fit for dating, and says what its p(good) is worth", async () => {
    const poor = frame(1, "done", { p_good: 0.9996, label: "poor" });
    const reliability = { p_low: 0.9, p_high: 1, count: 1650, good_rate: 0.996, good_rate_low: 0.9915, good_rate_high: 0.9982 };
    serve(({ pathname }) => {
      if (pathname === "/api/studies/7/") return answer(200, study([poor]));
      return answer(200, {
        ...detail(poor),
        latest_assessment: { id: 1, mask: 101, p_good: 0.9996, label: "poor", reasons: [], ood_score: 0.4, model_version: { id: 2, kind: "fusqa", version: "1" }, created_at: "", reliability },
        dating: { fit: false, reason: "FUSQA judged the mask poor: its CRL, and so this GA, may be wrong." },
      });
    });

    open();
    await tick(0);

    expect(text(card(0), ".p-good")).toBe("> 0.99");
    expect(text(card(0), ".p-good-note")).toBe(
      " Calibrated. On the model's test at an unseen hospital, masks scored 0.9–1.0 were good in 99.6 % of 1,650 (95 % interval 99.2–99.8 %).",
    );
    expect(card(0).querySelector(".ga-unfit .ga")?.textContent).toBe("11w 4d");
    expect(text(card(0), ".dating-unfit")).toBe("Not fit for dating. FUSQA judged the mask poor: its CRL, and so this GA, may be wrong.");
  });

  it("shows an unknown frame as unknown, with the reasons the classifier gave, and its GA as unfit", async () => {
    const reasons = ["fragmented: 3 pieces, 12% of the mask outside the largest", "the mask touches the image border: the fetus may be cut off"];
    const unknown = frame(1, "done", { p_good: 0.97, label: "unknown", reasons });
    serve(({ pathname }) => {
      if (pathname === "/api/studies/7/") return answer(200, { ...study([unknown]), quality: "unknown", unknown_frames: 1 });
      return answer(200, {
        ...detail(unknown),
        latest_assessment: { id: 1, mask: 101, p_good: 0.97, label: "unknown", reasons, ood_score: 2.5, model_version: { id: 2, kind: "fusqa", version: "1" }, created_at: "", reliability: null },
        dating: { fit: false, reason: "FUSQA could not judge the mask (unknown): its CRL, and so this GA, may be wrong." },
      });
    });

    open();
    await tick(0);

    expect(text(card(0), ".quality-unknown")).toBe("Unknown");
    expect(text(card(0), ".p-good-note")).toBe(" Not judged: this p(good) does not apply to the frame (see why below).");
    expect([...card(0).querySelectorAll(".unknown-reasons li")].map((li) => li.textContent)).toEqual(reasons);
    expect(card(0).querySelector(".ga-unfit .ga")?.textContent).toBe("11w 4d");
  });

  it("shows a done frame's quality, CRL and GA with its formula, and a failed frame's reason", async () => {
    const done = frame(1, "done", { p_good: 0.9, label: "good" });
    const failed = frame(2, "failed", { reason: "The image is blank." });
    serve(({ pathname }) => {
      if (pathname === "/api/studies/7/") return answer(200, study([done, failed]));
      if (pathname === "/api/frames/1/") return answer(200, detail(done));
      if (pathname === "/api/frames/2/") return answer(200, { ...detail(failed), masks: [], latest_measurement: null });
      return answer(404, { error: { code: "not_found", message: "No." } });
    });

    open();
    await tick(0);

    // One card: the worst frame with a result first; the failed frame waits in the filmstrip, unloaded.
    expect(document.querySelectorAll(".frame-card")).toHaveLength(1);
    expect(server.paths()).not.toContain("/api/frames/2/");
    const first = card(0);
    expect(first.dataset.status).toBe("done");
    expect(text(first, ".status")).toBe("Done");
    expect(text(first, ".p-good")).toBe("0.90");
    expect(text(first, ".quality-good")).toBe("Good");
    expect(text(first, ".crl")).toBe("45.0 mm");
    expect(text(first, ".ga")).toBe("11w 4d");
    expect(text(first, ".formula")).toBe("(Robinson 1975)");
    expect(text(first, ".ga-difference")).toBe("+1.5 d");
    expect(first.querySelector(".range-warning")).toBeNull();
    choose(2);
    await tick(0);
    const second = card(0);
    expect(second.dataset.frameId).toBe("2");
    expect(text(second, ".status")).toBe("Failed");
    expect(second.querySelector('[role="alert"]')?.textContent).toContain("The image is blank.");
    expect(text(document, ".study-summary")).toContain("11w 3d (80 days)");
    expect(text(document, ".live-status")).toBe("All 2 frames processed; 1 failed.");

    await tick(5000);
    expect(studyCalls()).toBe(1);
  });

  it("offers a DICOM frame's result as an SR and its mask as a SEG to download", async () => {
    const done = frame(1, "done", { p_good: 0.9, label: "good", source: "dicom" });
    const assessment = { id: 1, mask: 101, p_good: 0.9, label: "good" as const, model_version: { id: 2, kind: "fusqa" as const, version: "1" }, created_at: "", reliability: null };
    serve(({ pathname }) =>
      pathname === "/api/studies/7/" ? answer(200, study([done])) : answer(200, { ...detail(done), latest_assessment: assessment }),
    );

    open();
    await tick(0);

    expect(card(0).querySelector(".dicom-sr")?.getAttribute("href")).toBe("/api/frames/1/sr/");
    expect(card(0).querySelector(".dicom-seg")?.getAttribute("href")).toBe("/api/masks/101/seg/");
    expect(text(card(0), ".dicom-seg")).toBe("SEG (model mask v1)");
  });

  it("warns when the CRL is outside the formula's range", async () => {
    const done = frame(1, "done", { p_good: 0.2, label: "poor" });
    serve(({ pathname }) =>
      pathname === "/api/studies/7/"
        ? answer(200, study([done]))
        : answer(200, detail(done, { formula: "hadlock", in_formula_range: false, ga_days: 100 })),
    );

    open();
    await tick(0);

    expect(text(document, ".quality-poor")).toBe("Poor");
    expect(text(document, ".formula")).toBe("(Hadlock 1992)");
    expect(text(document, ".range-warning")).toContain("outside the formula's CRL range");
  });

  it("polls while a frame runs, shows it once done, then stops", async () => {
    const done = frame(1, "done", { p_good: 0.9, label: "good" });
    const states = [
      study([done, frame(2, "running")]),
      study([done, frame(2, "running")]),
      study([done, frame(2, "done", { p_good: 0.3, label: "poor" })]),
    ];
    serve(({ pathname }) => {
      if (pathname === "/api/studies/7/") return answer(200, states.length > 1 ? states.shift() : states[0]);
      if (pathname === "/api/frames/1/") return answer(200, detail(done));
      return answer(200, detail(frame(2, "done", { p_good: 0.3, label: "poor" }), { crl_mm: 30, ga_days: 70 }));
    });

    open();
    await tick(0);
    choose(2);
    await tick(0);
    expect(text(card(0), ".status")).toBe("Running");
    expect(card(0).querySelector(".p-good")).toBeNull();
    expect(text(document, ".live-status")).toBe("1 of 2 frames still processing; updating live…");
    expect(server.paths()).not.toContain("/api/frames/2/");

    await tick(1000);
    expect(text(card(0), ".status")).toBe("Running");

    await tick(1000);
    expect(text(card(0), ".status")).toBe("Done");
    expect(text(card(0), ".p-good")).toBe("0.30");
    expect(text(card(0), ".crl")).toBe("30.0 mm");
    expect(text(card(0), ".ga")).toBe("10w 0d");
    expect(text(card(0), ".ga-difference")).toBe("−10 d");
    expect(text(document, ".live-status")).toBe("All 2 frames processed.");

    const calls = studyCalls();
    expect(calls).toBe(3);
    await tick(10_000);
    expect(studyCalls()).toBe(calls);
    // Now the worst, frame 2 leads the filmstrip; it stays the one shown.
    expect(thumbnails().map((button) => button.dataset.frameId)).toEqual(["2", "1"]);
    expect(card(0).dataset.frameId).toBe("2");
  });

  it("shows a multi-frame study as thumbnails, worst first, and one frame in full", async () => {
    const frames = [
      frame(1, "done", { p_good: 0.9, label: "good" }),
      frame(2, "done", { p_good: 0.2, label: "poor" }),
      frame(3, "done", { p_good: 0.5, label: "unknown" }),
      frame(4, "pending"),
      frame(5, "done", { p_good: 0.6, label: "good" }),
    ];
    serve(({ pathname }) => {
      if (pathname === "/api/studies/7/") return answer(200, study(frames));
      const id = Number(pathname.split("/")[3]);
      return answer(200, detail(frames[id - 1]!));
    });

    open();
    await tick(0);

    expect(thumbnails().map((button) => button.dataset.frameId)).toEqual(["3", "2", "5", "1", "4"]);
    expect(thumbnails().map((button) => button.querySelector("img")!.getAttribute("src"))).toEqual(
      ["3", "2", "5", "1", "4"].map((id) => `/api/frames/${id}/thumbnail/`),
    );
    expect(thumbnails()[0]!.getAttribute("aria-label")).toBe("Frame 3, p(good) 0.50, unknown");
    expect(thumbnails()[0]!.getAttribute("aria-pressed")).toBe("true");
    expect(document.querySelectorAll(".frame-card")).toHaveLength(1);
    expect(card(0).dataset.frameId).toBe("3");
    expect(server.paths().filter((path) => path.startsWith("/api/frames/"))).toEqual(["/api/frames/3/"]);

    choose(1);
    await tick(0);
    expect(card(0).dataset.frameId).toBe("1");
    expect(thumbnails()[3]!.getAttribute("aria-pressed")).toBe("true");
    expect(server.paths().filter((path) => path.startsWith("/api/frames/"))).toEqual(["/api/frames/3/", "/api/frames/1/"]);
  });

  it("shows a single-frame study without a filmstrip", async () => {
    const only = frame(1, "done", { p_good: 0.9, label: "good" });
    serve(({ pathname }) => (pathname === "/api/studies/7/" ? answer(200, study([only])) : answer(200, detail(only))));

    open();
    await tick(0);

    expect(thumbnails()).toHaveLength(0);
    expect(text(card(0), ".p-good")).toBe("0.90");
  });

  it("stops polling when the page is left", async () => {
    serve(() => answer(200, study([frame(1, "pending")])));

    const view = open();
    await tick(2500);
    expect(studyCalls()).toBe(3);
    view.unmount();
    await tick(10_000);
    expect(studyCalls()).toBe(3);
  });

  it("keeps the frames and tries again when the server fails for a moment", async () => {
    const replies = [answer(200, study([frame(1, "running")])), answer(502, undefined)];
    serve(({ pathname }) => {
      if (pathname === "/api/frames/1/") return answer(200, detail(frame(1, "done")));
      return replies.shift() ?? answer(200, study([frame(1, "done")]));
    });

    open();
    await tick(0);
    await tick(1000);
    expect(screen.getByRole("alert").textContent).toContain("Trying again…");
    expect(card(0)).toBeDefined();

    await tick(3500);
    expect(text(card(0), ".status")).toBe("Done");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("says so when the study does not exist", async () => {
    serve(() => answer(404, { error: { code: "not_found", message: "No study with id 7." } }));

    open();
    await tick(0);

    expect(screen.getByRole("alert").textContent).toContain("No study with id 7.");
    await tick(5000);
    expect(studyCalls()).toBe(1);
  });
});

describe("liveText", () => {
  it("counts what is finished", () => {
    expect(liveText([frame(1, "done"), frame(2, "running"), frame(3, "pending")])).toBe(
      "2 of 3 frames still processing; updating live…",
    );
    expect(liveText([frame(1, "done")])).toBe("All 1 frame processed.");
    expect(liveText([frame(1, "done"), frame(2, "failed"), frame(3, null)])).toBe("All 3 frames processed; 1 failed.");
  });
});
