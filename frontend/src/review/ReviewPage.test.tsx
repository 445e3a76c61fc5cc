import { act, cleanup, fireEvent, screen, waitFor } from "@testing-library/react";
import { useLayoutEffect } from "react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { FrameDetail } from "../studies/api";
import { answer, fakeServer, renderPage, type Handler } from "../test/render";
import type { Me } from "../auth/session";
import type { WorkspaceCanvasProps } from "./WorkspaceCanvas";
import { ReviewPage } from "./ReviewPage";

// The canvas (Konva) needs a real 2D context: here it only says when an item is drawn, and paints a
// pixel when the test asks, as a brush stroke would.
const canvases: WorkspaceCanvasProps[] = [];
vi.mock("./WorkspaceCanvas", () => ({
  WorkspaceCanvas: (props: WorkspaceCanvasProps) => {
    canvases.push(props);
    useLayoutEffect(() => props.onDrawn(props.itemKey), [props.itemKey]);
    return <div data-testid="stage" data-item={props.itemKey} />;
  },
}));
vi.mock("../studies/overlay", async (original) => ({
  ...(await original<typeof import("../studies/overlay")>()),
  loadImage: async () => ({ decode: async () => undefined, width: 8, height: 6 }) as unknown as HTMLImageElement,
}));
vi.mock("./mask-image", () => ({
  // A 2 × 2 fetus in an 8 × 6 frame.
  maskBytes: () => Uint8Array.from({ length: 48 }, (_, i) => ([19, 20, 27, 28].includes(i) ? 1 : 0)),
}));

const expert: Me = { id: 5, username: "eva", role: "expert", hospitals: [{ id: 3, name: "St Mary", slug: "st-mary" }] };

function frame(id: number): FrameDetail {
  return {
    id,
    frame_number: 1,
    width: 8,
    height: 6,
    spacing_row_mm: 0.5,
    spacing_col_mm: 0.5,
    source: "png",
    created_at: "2025-01-01T00:00:00Z",
    status: "done",
    reason: null,
    p_good: 0.5,
    label: "good",
    image_url: `/api/frames/${id}/image/`,
    study: 1,
    hospital: { id: 3, name: "St Mary", slug: "st-mary" },
    spacing_source: "request",
    masks: [
      {
        id: 100 + id,
        kind: "model",
        version: 1,
        parent: null,
        model_version: null,
        created_by: null,
        area_px: 4,
        created_at: "2025-01-01T00:00:00Z",
        image_url: `/api/masks/${100 + id}/image/`,
      },
    ],
    latest_assessment: null,
    latest_measurement: null,
    dating: { fit: true, reason: "" },
  } as unknown as FrameDetail;
}

function world(items: number, expiresAt = "") {
  let leased = 0;
  const handler: Handler = async (url, request) => {
    if (url.pathname === "/api/auth/csrf/") return answer(200, {});
    if (url.pathname === "/api/hospitals/") return answer(200, []);
    if (url.pathname === "/api/review-queue/lease/") {
      if (leased >= items) return new Response(null, { status: 204 });
      leased += 1;
      const id = leased;
      return answer(201, { lease_id: 10 + id, lease_expires_at: expiresAt, frame: id, mask: 100 + id, slot: 1, reason: [] });
    }
    const match = url.pathname.match(/^\/api\/frames\/(\d+)\/$/);
    if (match) return answer(200, frame(Number(match[1])));
    if (url.pathname === "/api/reviews/") return answer(201, { review: {}, corrected_mask: null, corrected_mask_version: null });
    if (url.pathname.endsWith("/release/")) return answer(200, { state: "released" });
    return answer(404, { error: { code: "not_found", message: `${request.method} ${url.pathname}` } });
  };
  return fakeServer(handler);
}

/** The XHR multipart posts of the verdicts (sendForm), by lease id. */
const posted: Map<string, FormData> = new Map();
class FakeXhr {
  status = 201;
  statusText = "Created";
  responseText = '{"review": {}, "corrected_mask": null, "corrected_mask_version": null}';
  upload = { addEventListener: () => undefined };
  private listeners: Record<string, () => void> = {};
  open() {}
  setRequestHeader() {}
  addEventListener(name: string, listener: () => void) {
    this.listeners[name] = listener;
  }
  send(form: FormData) {
    posted.set(String(form.get("lease_id")), form);
    queueMicrotask(() => this.listeners.load?.());
  }
}

async function itemShown(mask: number) {
  await waitFor(() => expect(document.querySelector(".review-facts")?.getAttribute("data-mask-id")).toBe(String(mask)));
  await waitFor(() => expect(screen.getByRole("status", { name: "" }).getAttribute("data-next-ready")).toBe("true"));
}

const status = () => document.querySelector(".review-status")!;

describe("the review workspace's keyboard", () => {
  beforeEach(() => {
    canvases.length = 0;
    posted.clear();
    vi.stubGlobal("XMLHttpRequest", FakeXhr);
  });
  afterEach(async () => {
    // Leaving the page gives its leases back: those requests go to the fake server too.
    cleanup();
    await new Promise((resolve) => setTimeout(resolve, 20));
    vi.unstubAllGlobals();
  });

  it("sends G as a good verdict and shows the prefetched next item at once", async () => {
    const server = world(3);
    renderPage(<ReviewPage />, { path: "/review", me: expert });
    await itemShown(101);
    expect(server.paths().filter((p) => p.startsWith("/api/review-queue/lease/"))).toHaveLength(2);

    fireEvent.keyDown(window, { key: "g" });

    // The next item is on screen before the verdict's answer: it was leased and loaded already.
    expect(document.querySelector(".review-facts")!.getAttribute("data-mask-id")).toBe("102");
    await waitFor(() => expect(status().getAttribute("data-saved")).toBe("1"));
    const form = posted.get("11")!;
    expect(form.get("verdict")).toBe("good");
    expect(form.get("mask")).toBeNull();
    expect(Number(form.get("seconds_spent"))).toBeGreaterThanOrEqual(0);
    expect(window.__fusqaReviewTimings!.submitToNext.length).toBeGreaterThan(0);
    expect(status().getAttribute("data-submit-to-next-ms")).not.toBe("");
  });

  it("sends P and U as poor and unusable", async () => {
    world(3);
    renderPage(<ReviewPage />, { path: "/review", me: expert });
    await itemShown(101);
    fireEvent.keyDown(window, { key: "p" });
    await itemShown(102);
    fireEvent.keyDown(window, { key: "u" });
    await waitFor(() => expect(status().getAttribute("data-saved")).toBe("2"));
    expect(posted.get("11")!.get("verdict")).toBe("poor");
    expect(posted.get("12")!.get("verdict")).toBe("unusable");
  });

  it("sends an edited mask with the verdict, and Z takes the edit back first", async () => {
    world(3);
    renderPage(<ReviewPage />, { path: "/review", me: expert });
    await itemShown(101);
    const paint = () =>
      act(() => {
        const { history, onEdited } = canvases.at(-1)!;
        history.checkpoint();
        history.mask.data[0] = 1;
        onEdited();
      });
    paint();
    await waitFor(() => expect(screen.getByText("Corrected (sent with the verdict)")).toBeTruthy());
    fireEvent.keyDown(window, { key: "z" });
    expect(await screen.findByText("The model's")).toBeTruthy();
    paint();
    await screen.findByText("Corrected (sent with the verdict)");

    fireEvent.keyDown(window, { key: "g" });
    await waitFor(() => expect(posted.get("11")).toBeTruthy());
    const mask = posted.get("11")!.get("mask") as File;
    expect(mask.type).toBe("image/png");
    const bytes = new Uint8Array(await mask.arrayBuffer());
    expect(Array.from(bytes.subarray(1, 4))).toEqual([80, 78, 71]); // "PNG"
    expect(bytes[25]).toBe(0); // colour type: greyscale, one channel
  });

  it("keeps an item whose corrected mask was erased to nothing, and says why", async () => {
    world(3);
    renderPage(<ReviewPage />, { path: "/review", me: expert });
    await itemShown(101);
    act(() => {
      const { history, onEdited } = canvases.at(-1)!;
      history.checkpoint();
      history.mask.data.fill(0);
      onEdited();
    });

    fireEvent.keyDown(window, { key: "g" });

    expect((await screen.findByRole("alert")).textContent).toContain("The corrected mask is empty");
    expect(document.querySelector(".review-facts")!.getAttribute("data-mask-id")).toBe("101");
    expect(posted.size).toBe(0);
  });

  it("skips with S: the lease is released and the next item shown, nothing reviewed", async () => {
    const server = world(3);
    renderPage(<ReviewPage />, { path: "/review", me: expert });
    await itemShown(101);

    fireEvent.keyDown(window, { key: "s" });

    expect(document.querySelector(".review-facts")!.getAttribute("data-mask-id")).toBe("102");
    await waitFor(() =>
      expect(server.paths()).toContain("/api/review-queue/leases/11/release/"),
    );
    expect(posted.size).toBe(0);
  });

  it("leases afresh instead of showing a prefetched item whose lease is half spent", async () => {
    const server = world(3, new Date(Date.now() + 600_000).toISOString());
    renderPage(<ReviewPage />, { path: "/review", me: expert });
    await itemShown(101);
    const now = performance.now();
    vi.spyOn(performance, "now").mockReturnValue(now + 301_000); // the expert spent 5 min on item 1

    fireEvent.keyDown(window, { key: "g" });

    await waitFor(() => expect(document.querySelector(".review-facts")?.getAttribute("data-mask-id")).toBe("103"));
    await waitFor(() => expect(server.paths()).toContain("/api/review-queue/leases/12/release/"));
    vi.restoreAllMocks();
  });

  it("ignores verdict keys typed into the filters", async () => {
    world(3);
    renderPage(<ReviewPage />, { path: "/review", me: expert });
    await itemShown(101);

    fireEvent.keyDown(screen.getByLabelText("Hospital"), { key: "g" });

    expect(document.querySelector(".review-facts")!.getAttribute("data-mask-id")).toBe("101");
    expect(posted.size).toBe(0);
  });

  it("changes the brush size with [ and ] and the tool with its letter", async () => {
    world(3);
    renderPage(<ReviewPage />, { path: "/review", me: expert });
    await itemShown(101);

    fireEvent.keyDown(window, { key: "]" });
    expect(screen.getByText("Size 8 px")).toBeTruthy();
    fireEvent.keyDown(window, { key: "[" });
    fireEvent.keyDown(window, { key: "[" });
    expect(screen.getByText("Size 4 px")).toBeTruthy();
    fireEvent.keyDown(window, { key: "l" });
    expect(screen.getByRole("button", { name: /Polygon fill/ }).getAttribute("aria-pressed")).toBe("true");
    expect(canvases.at(-1)!.tool).toBe("polygon");
  });

  it("says so when nothing waits", async () => {
    world(0);
    renderPage(<ReviewPage />, { path: "/review", me: expert });
    expect(await screen.findByText("Nothing waiting")).toBeTruthy();
  });

  it("shows the live CRL of the mask from its callipers", async () => {
    world(1);
    renderPage(<ReviewPage />, { path: "/review", me: expert });
    await waitFor(() => expect(document.querySelector(".live-crl")).toBeTruthy());
    // A 2 × 2 square at 0.5 mm: corner to corner √2 mm.
    expect(document.querySelector(".live-crl")!.textContent).toBe("1.4 mm");
  });
});
