import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PageContext } from "../app/page";
import type { Me } from "../auth/session";
import { studiesPage } from "./list-page";

const manager: Me = { id: 1, username: "ana", role: "qa_manager", hospitals: [{ id: 3, name: "St Mary", slug: "st-mary" }] };

const answer = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

function context(query = ""): PageContext {
  return { me: manager, params: {}, query: new URLSearchParams(query), signal: new AbortController().signal, navigate: vi.fn() };
}

let fetchMock: ReturnType<typeof vi.fn>;
beforeEach(() => {
  fetchMock = vi.fn();
  vi.stubGlobal("fetch", fetchMock);
});
afterEach(() => vi.unstubAllGlobals());

describe("the studies page", () => {
  it("lists each study with a link to it", async () => {
    fetchMock.mockResolvedValue(
      answer(200, {
        count: 1,
        next: null,
        previous: null,
        results: [
          {
            id: 12,
            hospital: { id: 3, name: "St Mary", slug: "st-mary" },
            machine: { id: 2, manufacturer: "Phantom Medical", model_name: "PX-1" },
            patient_key: "k",
            exam_date: "2025-03-04",
            reported_ga_days: 80,
            created_at: "2025-03-04T10:00:00Z",
            frame_count: 2,
          },
        ],
      }),
    );

    const page = studiesPage(context("hospital=3"));
    await vi.waitFor(() => expect(page.querySelector("tbody tr")).not.toBeNull());

    expect(fetchMock.mock.calls[0]?.[0]).toBe("/api/studies/?limit=25&offset=0&hospital=3");
    const cells = [...page.querySelectorAll("tbody td")].map((cell) => cell.textContent);
    expect(cells).toEqual(["Study #12", "St Mary", "Phantom Medical PX-1", "2025-03-04", "11w 3d", "2"]);
    expect(page.querySelector("tbody a")?.getAttribute("href")).toBe("/studies/12");
    expect(page.querySelector<HTMLSelectElement>("select")?.value).toBe("3");
  });

  it("filters by hospital through the address", async () => {
    fetchMock.mockResolvedValue(answer(200, { count: 0, next: null, previous: null, results: [] }));
    const ctx = context();
    const page = studiesPage(ctx);
    await vi.waitFor(() => expect(page.textContent).toContain("No studies yet"));

    const select = page.querySelector("select")!;
    select.value = "3";
    select.dispatchEvent(new Event("change"));
    expect(ctx.navigate).toHaveBeenCalledWith("/studies?hospital=3");
  });
});
