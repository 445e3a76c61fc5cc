import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { answer, fakeServer, renderPage } from "../test/render";
import { frameAnswer, page } from "./fixtures";
import { FramesPage } from "./FramesPage";

afterEach(() => vi.unstubAllGlobals());

describe("the frames behind a dashboard point", () => {
  it("asks for the point's frames and shows them worst first, each leading to its study", async () => {
    const server = fakeServer(() => answer(200, page([frameAnswer, { ...frameAnswer, id: 42, verdict: "unknown", p_good: null, mask: null, mask_image_url: null, reasons: ["processing failed"] }])));

    renderPage(<FramesPage />, { path: "/dashboard/frames?hospital=3&machine=none&from=2026-03-02&to=2026-03-08&verdict=poor" });

    expect(await screen.findByRole("heading", { level: 1, name: "Poor frames from 2026-03-02 to 2026-03-08" })).toBeTruthy();
    expect(server.paths()[0]).toBe(
      "/api/dashboard/frames/?limit=24&offset=0&hospital=3&unknown_machine=true&from=2026-03-02&to=2026-03-08&verdict=poor",
    );
    const items = await screen.findAllByRole("listitem");
    expect(items.map((item) => item.querySelector(".p-good")?.textContent)).toEqual(["p(good) < 0.01", "processing failed"]);
    expect(screen.getByRole("img", { name: "Frame 1 of study 8 with the model mask's outline" })).toBeTruthy();
    expect(screen.getAllByRole("link", { name: "Study #8, frame 1" })[0]!.getAttribute("href")).toBe("/studies/8");
    expect(screen.getAllByText("Judged by FUSQA 2026.11")).toHaveLength(screen.getAllByRole("link", { name: "Study #8, frame 1" }).length);
  });

  it("says why an unknown frame is unknown", async () => {
    const unknown = { ...frameAnswer, verdict: "unknown" as const, p_good: 0.97, reasons: ["fragmented: 3 pieces", "the mask touches the image border"] };
    fakeServer(() => answer(200, page([unknown])));

    renderPage(<FramesPage />, { path: "/dashboard/frames?hospital=3&from=2026-03-02&to=2026-03-08&verdict=unknown" });

    const [item] = await screen.findAllByRole("listitem");
    expect(item!.querySelector(".quality-unknown")?.textContent).toBe("Unknown");
    expect(item!.querySelector(".unknown-reasons")?.textContent).toBe(" Why unknown: fragmented: 3 pieces; the mask touches the image border");
  });
});
