import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PageContext } from "../app/page";
import type { Me } from "../auth/session";
import type { FrameDetail, FrameSummary, StudyDetail } from "./api";
import { liveText, studyPage } from "./study-page";

const manager: Me = { id: 1, username: "ana", role: "qa_manager", hospitals: [{ id: 3, name: "St Mary", slug: "st-mary" }] };

const answer = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

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
    latest_measurement: {
      id: 1,
      mask: 100 + summary.id,
      crl_mm: 45,
      p1: { row: 10, col: 12 },
      p2: { row: 30, col: 52 },
      ga_days: 81.5,
      formula: "robinson",
      in_formula_range: true,
      created_at: "",
      ...measurement,
    },
  };
}

let fetchMock: ReturnType<typeof vi.fn>;
let page: AbortController;

function open(id = "7"): HTMLElement {
  const context: PageContext = {
    me: manager,
    params: { id },
    query: new URLSearchParams(),
    signal: page.signal,
    navigate: vi.fn(),
  };
  return studyPage(context);
}

const studyCalls = () => fetchMock.mock.calls.filter(([url]) => url === "/api/studies/7/").length;

beforeEach(() => {
  vi.useFakeTimers();
  fetchMock = vi.fn();
  vi.stubGlobal("fetch", fetchMock);
  page = new AbortController();
});
afterEach(() => {
  page.abort();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("the study page", () => {
  it("shows a done frame's quality, CRL and GA with its formula, and a failed frame's reason", async () => {
    const done = frame(1, "done", { p_good: 0.9, label: "good" });
    const failed = frame(2, "failed", { reason: "The image is blank." });
    fetchMock.mockImplementation(async (url: string) => {
      if (url === "/api/studies/7/") return answer(200, study([done, failed]));
      if (url === "/api/frames/1/") return answer(200, detail(done));
      if (url === "/api/frames/2/") return answer(200, { ...detail(failed), masks: [], latest_measurement: null });
      return answer(404, { error: { code: "not_found", message: "No." } });
    });

    const view = open();
    await vi.advanceTimersByTimeAsync(0);

    const [first, second] = [...view.querySelectorAll<HTMLElement>(".frame-card")];
    expect(first?.dataset.status).toBe("done");
    expect(first?.querySelector(".status")?.textContent).toBe("Done");
    expect(first?.querySelector(".p-good")?.textContent).toBe("90%");
    expect(first?.querySelector(".quality-good")?.textContent).toBe("Good");
    expect(first?.querySelector(".crl")?.textContent).toBe("45.0 mm");
    expect(first?.querySelector(".ga")?.textContent).toBe("11w 4d");
    expect(first?.querySelector(".formula")?.textContent).toBe("(Robinson 1975)");
    expect(first?.querySelector(".ga-difference")?.textContent).toBe("+1.5 d");
    expect(first?.querySelector(".range-warning")).toBeNull();
    expect(second?.querySelector(".status")?.textContent).toBe("Failed");
    expect(second?.querySelector('[role="alert"]')?.textContent).toContain("The image is blank.");
    expect(view.querySelector(".study-summary")?.textContent).toContain("11w 3d (80 days)");
    expect(view.querySelector(".live-status")?.textContent).toBe("All 2 frames processed; 1 failed.");

    await vi.advanceTimersByTimeAsync(5000);
    expect(studyCalls()).toBe(1);
  });

  it("warns when the CRL is outside the formula's range", async () => {
    const done = frame(1, "done", { p_good: 0.2, label: "poor" });
    fetchMock.mockImplementation(async (url: string) =>
      url === "/api/studies/7/"
        ? answer(200, study([done]))
        : answer(200, detail(done, { formula: "hadlock", in_formula_range: false, ga_days: 100 })),
    );

    const view = open();
    await vi.advanceTimersByTimeAsync(0);

    expect(view.querySelector(".quality-poor")?.textContent).toBe("Poor");
    expect(view.querySelector(".formula")?.textContent).toBe("(Hadlock 1992)");
    expect(view.querySelector(".range-warning")?.textContent).toContain("outside the formula's CRL range");
  });

  it("polls while a frame runs, shows it once done, then stops", async () => {
    const done = frame(1, "done", { p_good: 0.9, label: "good" });
    const states = [
      study([done, frame(2, "running")]),
      study([done, frame(2, "running")]),
      study([done, frame(2, "done", { p_good: 0.3, label: "poor" })]),
    ];
    fetchMock.mockImplementation(async (url: string) => {
      if (url === "/api/studies/7/") return answer(200, states.length > 1 ? states.shift() : states[0]);
      if (url === "/api/frames/1/") return answer(200, detail(done));
      return answer(200, detail(frame(2, "done", { p_good: 0.3, label: "poor" }), { crl_mm: 30, ga_days: 70 }));
    });

    const view = open();
    await vi.advanceTimersByTimeAsync(0);
    const second = () => view.querySelectorAll<HTMLElement>(".frame-card")[1]!;
    expect(second().querySelector(".status")?.textContent).toBe("Running");
    expect(second().querySelector(".p-good")).toBeNull();
    expect(view.querySelector(".live-status")?.textContent).toBe("1 of 2 frames still processing; updating live…");
    expect(fetchMock.mock.calls.some(([url]) => url === "/api/frames/2/")).toBe(false);

    await vi.advanceTimersByTimeAsync(1000);
    expect(second().querySelector(".status")?.textContent).toBe("Running");

    await vi.advanceTimersByTimeAsync(1000);
    expect(second().querySelector(".status")?.textContent).toBe("Done");
    expect(second().querySelector(".p-good")?.textContent).toBe("30%");
    expect(second().querySelector(".crl")?.textContent).toBe("30.0 mm");
    expect(second().querySelector(".ga")?.textContent).toBe("10w 0d");
    expect(second().querySelector(".ga-difference")?.textContent).toBe("−10 d");
    expect(view.querySelector(".live-status")?.textContent).toBe("All 2 frames processed.");

    const calls = studyCalls();
    expect(calls).toBe(3);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(studyCalls()).toBe(calls);
  });

  it("stops polling when the page is left", async () => {
    fetchMock.mockImplementation(async () => answer(200, study([frame(1, "pending")])));

    open();
    await vi.advanceTimersByTimeAsync(2500);
    expect(studyCalls()).toBe(3);
    page.abort();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(studyCalls()).toBe(3);
  });

  it("says so when the study does not exist", async () => {
    fetchMock.mockResolvedValue(answer(404, { error: { code: "not_found", message: "No study with id 7." } }));

    const view = open();
    await vi.advanceTimersByTimeAsync(0);

    expect(view.querySelector('[role="alert"]')?.textContent).toContain("No study with id 7.");
    await vi.advanceTimersByTimeAsync(5000);
    expect(studyCalls()).toBe(1);
  });
});

describe("liveText", () => {
  it("counts what is finished", () => {
    expect(liveText([frame(1, "done"), frame(2, "pending")])).toBe("1 of 2 frames still processing; updating live…");
    expect(liveText([frame(1, "done")])).toBe("All 1 frame processed.");
  });
});
