import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { admin, answer, fakeServer, renderPage } from "../test/render";
import { TrainingSetsPage } from "./TrainingSetsPage";

const summary = (labels: Record<string, number>) => ({
  labels,
  hospitals: { northgate: 8 },
  machines: { "GE Healthcare Voluson E8": 8 },
  splits: { test: 2, train: 6 },
  reviews: 9,
  corrections: 2,
  hospital_ids: [1],
});
const v1 = {
  id: 11,
  version: 1,
  items: 8,
  sha256: "ab".repeat(32),
  summary: summary({ poor: 3, good: 5 }),
  created_by: { id: 2, username: "root" },
  created_at: "2026-11-27T16:56:51Z",
  download_url: "/api/training-sets/11/download/",
};
const list = (results: unknown[]) => answer(200, { count: results.length, next: null, previous: null, results });
const rows = () =>
  [...document.querySelectorAll(".training-sets-table tbody tr")].map((row) => [...row.children].map((c) => c.textContent));

afterEach(() => vi.unstubAllGlobals());

describe("the training sets page", () => {
  it("lists each version with its counts and a download link", async () => {
    fakeServer(() => list([v1]));

    renderPage(<TrainingSetsPage />, { path: "/training-sets", me: admin });
    await waitFor(() => expect(rows()).toHaveLength(1));

    expect(rows()).toEqual([
      ["v1", "8", "good 5 · poor 3", "train 6 · test 2", "2026-11-27 16:56:51 UTC", "root", "Download zip"],
    ]);
    expect(screen.getByRole("link", { name: "Download zip" }).getAttribute("href")).toBe("/api/training-sets/11/download/");
  });

  it("freezes a new version on request and lists it", async () => {
    const v2 = { ...v1, id: 12, version: 2, items: 9, summary: summary({ good: 6, poor: 2, excluded: 1 }) };
    let frozen = false;
    const server = fakeServer((url, request) => {
      if (request.method === "POST") {
        frozen = true;
        return answer(201, v2);
      }
      if (url.pathname === "/api/auth/csrf/") return answer(200, {});
      return list(frozen ? [v2, v1] : [v1]);
    });
    renderPage(<TrainingSetsPage />, { path: "/training-sets", me: admin });
    await waitFor(() => expect(rows()).toHaveLength(1));

    await userEvent.click(screen.getByRole("button", { name: "Freeze a new version" }));

    expect(await screen.findByText("Training set v2 frozen: 9 items.")).toBeTruthy();
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(rows()[0]!.slice(0, 3)).toEqual(["v2", "9", "good 6 · poor 2 · excluded 1"]);
    expect(server.requests().some((r) => r.method === "POST" && new URL(r.url).pathname === "/api/training-sets/")).toBe(true);
  });

  it("says why nothing was frozen when nothing has been reviewed", async () => {
    fakeServer((url, request) =>
      request.method === "POST"
        ? answer(409, { error: { code: "nothing_reviewed", message: "Nothing has been reviewed yet: a training set needs at least one reviewed item." } })
        : url.pathname === "/api/auth/csrf/"
          ? answer(200, {})
          : list([]),
    );
    renderPage(<TrainingSetsPage />, { path: "/training-sets", me: admin });
    expect(await screen.findByText("No training sets yet")).toBeTruthy();

    await userEvent.click(screen.getByRole("button", { name: "Freeze a new version" }));

    expect(await screen.findByText("No training set was frozen")).toBeTruthy();
    expect(screen.getByText(/Nothing has been reviewed yet/)).toBeTruthy();
  });
});
