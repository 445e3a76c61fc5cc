import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { admin, answer, fakeServer, renderPage } from "../test/render";
import { DashboardPage } from "./DashboardPage";
import { alertAnswer, dashboardAnswer, page } from "./fixtures";

vi.mock("../ui/Chart", () => ({ Chart: ({ label }: { label: string }) => <div role="img" aria-label={label} /> }));

afterEach(() => vi.unstubAllGlobals());

const serve = (dashboard = dashboardAnswer) =>
  fakeServer(({ pathname }) =>
    pathname === "/api/dashboard/"
      ? answer(200, dashboard)
      : pathname === "/api/alerts/"
        ? answer(200, page([alertAnswer]))
        : answer(200, page([])),
  );

const tile = (name: string) => document.querySelector(`[data-tile="${name}"]`)?.textContent;

describe("the dashboard", () => {
  it("shows the tiles from the server's numbers", async () => {
    const server = serve();

    renderPage(<DashboardPage />, { path: "/dashboard?from=2026-03-01&to=2026-03-14" });

    await screen.findByRole("heading", { level: 2, name: "Machines, worst first" });
    expect(tile("frames")).toBe("10");
    expect(tile("poor-rate")).toBe("25 %");
    expect(screen.getByText("95 % interval 7.1 % – 59 %")).toBeTruthy();
    await waitFor(() => expect(tile("open-alerts")).toBe("1"));
    expect(tile("ga")).toBe("1.9 d");
    expect(server.paths()).toContain("/api/dashboard/?from=2026-03-01&to=2026-03-14");
    expect(server.paths()).toContain("/api/alerts/?limit=100&offset=0&state=open");
    expect(await screen.findByRole("img", { name: /Poor-mask rate per period/ })).toBeTruthy();
  });

  it("lists machines worst first, each leading to its frames", async () => {
    serve();
    renderPage(<DashboardPage />, { path: "/dashboard" });

    const table = (await screen.findByRole("table", { name: "Machines, worst first" })) as HTMLTableElement;
    const rows = [...table.querySelectorAll("tbody tr")].map((row) => [...row.children].slice(0, 5).map((cell) => cell.textContent));
    expect(rows).toEqual([
      ["GE Voluson E8", "5", "2", "1", "50 % (15–85 %)"],
      ["Philips EPIQ 7", "4", "0", "1", "0 % (0–56 %)"],
      ["Unknown machine", "1", "0", "0", "0 % (0–79 %)"],
    ]);
    const link = within(table).getByRole("link", { name: "Frames of GE Voluson E8, worst first" });
    expect(link.getAttribute("href")).toBe("/dashboard/frames?hospital=3&machine=20&from=2026-03-01&to=2026-03-14");
    expect(within(table).getByRole("link", { name: "Frames of Unknown machine, worst first" }).getAttribute("href")).toBe(
      "/dashboard/frames?hospital=3&machine=none&from=2026-03-01&to=2026-03-14",
    );
    // The period table's rows lead to the poor frames of that period, clipped to the period asked for.
    const week = screen.getByRole("link", { name: "2026-02-23" });
    expect(week.getAttribute("href")).toBe("/dashboard/frames?hospital=3&from=2026-03-01&to=2026-03-01&verdict=poor");
  });

  it("puts the hospitals side by side for an admin, and filters through the address", async () => {
    const two = {
      ...dashboardAnswer,
      hospitals: [
        dashboardAnswer.hospitals[0]!,
        { ...dashboardAnswer.hospitals[0]!, hospital: { id: 4, name: "Northgate", slug: "n" }, poor: 0, poor_rate: 0 },
      ],
    };
    const server = serve(two);
    renderPage(<DashboardPage />, { path: "/dashboard", me: admin });

    const table = (await screen.findByRole("table", { name: "Hospitals side by side" })) as HTMLTableElement;
    expect([...table.querySelectorAll("tbody tr")].map((row) => row.children[0]!.textContent)).toEqual(["St Mary", "Northgate"]);

    await userEvent.selectOptions(screen.getByLabelText("Per"), "month");
    await userEvent.click(screen.getByRole("button", { name: "Show" }));
    await waitFor(() => expect(server.paths()).toContain("/api/dashboard/?from=2026-03-01&to=2026-03-14&bucket=month"));
  });

  it("shows the server's refusal", async () => {
    fakeServer(() => answer(404, { error: { code: "not_found", message: "No hospital with id 9." } }));
    renderPage(<DashboardPage />, { path: "/dashboard?hospital=9" });

    expect((await screen.findByRole("alert")).textContent).toContain("No hospital with id 9.");
  });
});
