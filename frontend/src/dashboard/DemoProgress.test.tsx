import { screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { answer, fakeServer, renderPage } from "../test/render";
import { DemoProgress } from "./DemoProgress";

afterEach(() => vi.unstubAllGlobals());

const progress = (state: string, seeded: number, total: number, waiting: number) =>
  fakeServer(({ pathname }) =>
    pathname === "/api/demo/progress/"
      ? answer(200, { state, seeded, total, updated_at: null, frames_waiting: waiting })
      : answer(404, { error: { code: "not_found", message: "no" } }),
  );

describe("the demo's history progress", () => {
  it("says how much of the history is in while it is being seeded", async () => {
    progress("running", 300, 2180, 12);

    renderPage(<DemoProgress />, { path: "/dashboard" });

    expect(await screen.findByText("Demo history is still filling in")).toBeTruthy();
    expect(screen.getByText(/300 of 2180 history studies seeded \(13 %\); 12 frames waiting/)).toBeTruthy();
  });

  it("says nothing once every frame is in and judged, or outside a demo", async () => {
    const server = progress("done", 2180, 2180, 0);

    renderPage(<DemoProgress />, { path: "/dashboard" });

    await waitFor(() => expect(server.paths()).toContain("/api/demo/progress/"));
    expect(screen.queryByText("Demo history is still filling in")).toBeNull();
  });
});
