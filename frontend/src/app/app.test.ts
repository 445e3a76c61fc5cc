import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { safeNext, startApp } from "./app";

const answer = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

const me = { id: 1, username: "ana", role: "qa_manager", hospitals: [{ id: 3, name: "St Mary", slug: "st-mary" }] };

describe("safeNext", () => {
  it("keeps an in-app path and refuses anything that leaves the app", () => {
    expect(safeNext("/upload")).toBe("/upload");
    expect(safeNext("/studies/4?tab=frames")).toBe("/studies/4?tab=frames");
    for (const next of [null, "", "//evil.example/", "https://evil.example/", "/api/auth/me/", "/login?next=/x"]) {
      expect(safeNext(next), String(next)).toBe("/hospitals");
    }
  });
});

describe("startApp", () => {
  let root: HTMLElement;
  let fetchMock: ReturnType<typeof vi.fn>;

  beforeEach(() => {
    root = document.createElement("div");
    document.body.replaceChildren(root);
    fetchMock = vi.fn();
    vi.stubGlobal("fetch", fetchMock);
  });
  afterEach(() => vi.unstubAllGlobals());

  it("sends a visitor without a session to the login page, remembering where they were going", async () => {
    window.history.replaceState(null, "", "/upload");
    fetchMock.mockResolvedValue(answer(403, { error: { code: "not_authenticated", message: "No." } }));

    await startApp(root);

    expect(window.location.pathname + window.location.search).toBe("/login?next=%2Fupload");
    expect(root.querySelector("h1")?.textContent).toBe("Log in");
    expect(document.title).toBe("Log in · FUSQA");
  });

  it("opens the hospitals page with the navigation for a logged-in QA manager", async () => {
    window.history.replaceState(null, "", "/");
    fetchMock.mockImplementation(async (url: string) =>
      answer(200, url === "/api/auth/me/" ? me : { count: 0, next: null, previous: null, results: [] }),
    );

    await startApp(root);

    expect(window.location.pathname).toBe("/hospitals");
    const links = [...root.querySelectorAll("nav a")].map((a) => [a.textContent, a.getAttribute("aria-current")]);
    expect(links).toEqual([
      ["Hospitals", "page"],
      ["Studies", null],
      ["Upload", null],
    ]);
    expect(root.querySelector(".user-name")?.textContent).toBe("ana");
  });

  it("shows the Audit log link to an admin only", async () => {
    window.history.replaceState(null, "", "/hospitals");
    fetchMock.mockImplementation(async (url: string) =>
      answer(200, url === "/api/auth/me/" ? { ...me, role: "admin" } : []),
    );

    await startApp(root);

    expect([...root.querySelectorAll("nav a")].map((a) => a.textContent)).toEqual([
      "Hospitals",
      "Studies",
      "Upload",
      "Audit log",
    ]);
  });

  it("hides Upload from an expert", async () => {
    window.history.replaceState(null, "", "/hospitals");
    fetchMock.mockImplementation(async (url: string) =>
      answer(200, url === "/api/auth/me/" ? { ...me, role: "expert" } : []),
    );

    await startApp(root);

    expect([...root.querySelectorAll("nav a")].map((a) => a.textContent)).toEqual(["Hospitals", "Studies"]);
  });
});
