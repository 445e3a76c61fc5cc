import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { answer, fakeServer, manager, renderPage } from "../test/render";
import { HospitalsPage } from "./HospitalsPage";

const list = (results: unknown[], next: string | null = null) =>
  answer(200, { count: results.length, next, previous: null, results });

const stMary = {
  id: 3,
  name: "St Mary",
  slug: "st-mary",
  created_at: "",
  machines: [
    { id: 8, manufacturer: "Phantom Medical", model_name: "PX-1" },
    { id: 9, manufacturer: "", model_name: "" },
  ],
};

afterEach(() => vi.unstubAllGlobals());

describe("the hospitals page", () => {
  it("lists each hospital with its machines, following the pages of the list", async () => {
    const server = fakeServer(({ searchParams }) =>
      searchParams.get("offset") === "0"
        ? list([stMary], "/api/hospitals/?limit=100&offset=1")
        : list([{ ...stMary, id: 4, name: "Northgate", machines: [] }]),
    );

    renderPage(<HospitalsPage />, { path: "/hospitals" });

    expect(await screen.findByRole("heading", { level: 2, name: "Northgate" })).toBeTruthy();
    expect(server.paths()).toEqual(["/api/hospitals/?limit=100&offset=0", "/api/hospitals/?limit=100&offset=1"]);
    expect(screen.getAllByRole("heading", { level: 3 }).map((h) => h.textContent)).toEqual(["Machines (2)", "Machines (0)"]);
    const machines = [...document.querySelectorAll(".machine-list li")].map((item) => item.textContent);
    expect(machines).toEqual(["Phantom Medical PX-1", "Unknown machine"]);
    expect(screen.getByRole("link", { name: "Upload scans" }).getAttribute("href")).toBe("/upload");
  });

  it("says so when the user belongs to no hospital", async () => {
    fakeServer(() => list([]));

    renderPage(<HospitalsPage />, { path: "/hospitals", me: { ...manager, role: "expert", hospitals: [] } });

    expect(await screen.findByText(/You are not a member of any hospital yet\./)).toBeTruthy();
    expect(screen.queryByRole("link", { name: "Upload scans" })).toBeNull();
  });

  it("shows the server's error message in an alert", async () => {
    fakeServer(() => answer(500, { error: { code: "error", message: "Database unavailable." } }));

    renderPage(<HospitalsPage />, { path: "/hospitals" });

    expect((await screen.findByRole("alert")).textContent).toContain("Database unavailable.");
  });

  it("renders names as text, never as markup", async () => {
    fakeServer(() => list([{ ...stMary, name: "<img src=x onerror=alert(1)>" }]));

    renderPage(<HospitalsPage />, { path: "/hospitals" });

    expect((await screen.findByRole("heading", { level: 2 })).textContent).toBe("<img src=x onerror=alert(1)>");
    expect(document.querySelector("img")).toBeNull();
  });
});
