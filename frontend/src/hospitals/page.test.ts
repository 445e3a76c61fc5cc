import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PageContext } from "../app/page";
import type { Me } from "../auth/session";
import { hospitalsPage } from "./page";

const manager: Me = { id: 1, username: "ana", role: "qa_manager", hospitals: [{ id: 3, name: "St Mary", slug: "st-mary" }] };

function context(me: Me = manager): PageContext {
  return { me, params: {}, query: new URLSearchParams(), signal: new AbortController().signal, navigate: vi.fn() };
}

const answer = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

let fetchMock: ReturnType<typeof vi.fn>;
beforeEach(() => {
  fetchMock = vi.fn();
  vi.stubGlobal("fetch", fetchMock);
});
afterEach(() => vi.unstubAllGlobals());

async function settled(page: HTMLElement): Promise<HTMLElement> {
  await vi.waitFor(() => expect(page.querySelector(".loading")).toBeNull());
  return page;
}

describe("the hospitals page", () => {
  it("lists each hospital with its machines", async () => {
    fetchMock.mockResolvedValue(
      answer(200, {
        count: 1,
        next: null,
        previous: null,
        results: [
          {
            id: 3,
            name: "St Mary",
            slug: "st-mary",
            machines: [
              { id: 8, manufacturer: "Phantom Medical", model_name: "PX-1" },
              { id: 9, manufacturer: "", model_name: "" },
            ],
          },
        ],
      }),
    );

    const page = await settled(hospitalsPage(context()));

    expect(fetchMock.mock.calls[0]?.[0]).toBe("/api/hospitals/");
    expect(page.querySelector("h2")?.textContent).toBe("St Mary");
    expect(page.querySelector("h3")?.textContent).toBe("Machines (2)");
    const machines = [...page.querySelectorAll(".machine-list li")].map((item) => item.textContent);
    expect(machines).toEqual(["Phantom Medical PX-1", "Unknown machine"]);
  });

  it("says so when the user belongs to no hospital", async () => {
    fetchMock.mockResolvedValue(answer(200, { count: 0, next: null, previous: null, results: [] }));

    const page = await settled(hospitalsPage(context({ ...manager, hospitals: [] })));

    expect(page.textContent).toContain("You are not a member of any hospital yet.");
  });

  it("shows the server's error message in an alert", async () => {
    fetchMock.mockResolvedValue(answer(500, { error: { code: "error", message: "Database unavailable." } }));

    const page = await settled(hospitalsPage(context()));

    expect(page.querySelector('[role="alert"]')?.textContent).toContain("Database unavailable.");
  });

  it("renders names as text, never as markup", async () => {
    fetchMock.mockResolvedValue(answer(200, [{ id: 1, name: "<img src=x onerror=alert(1)>", slug: "x", machines: [] }]));

    const page = await settled(hospitalsPage(context()));

    expect(page.querySelector("img")).toBeNull();
    expect(page.querySelector("h2")?.textContent).toBe("<img src=x onerror=alert(1)>");
  });
});
