import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { alertAnswer, page } from "../dashboard/fixtures";
import { answer, fakeServer, manager, renderPage } from "../test/render";
import { AlertsPage } from "./AlertsPage";

afterEach(() => vi.unstubAllGlobals());

describe("the alerts page", () => {
  it("lists open alerts and acknowledges one, then asks again", async () => {
    let acknowledged = false;
    const server = fakeServer(({ pathname }, request) => {
      if (request.method === "POST") {
        acknowledged = true;
        return answer(200, { ...alertAnswer, acknowledged_by: { id: 1, username: "ana" }, acknowledged_at: "2026-03-05T09:00:00Z" });
      }
      if (pathname === "/api/auth/csrf/") return answer(204, undefined);
      return answer(200, page(acknowledged ? [] : [alertAnswer]));
    });
    document.cookie = "csrftoken=t0k3n";

    renderPage(<AlertsPage />, { path: "/alerts" });

    const row = (await screen.findByRole("rowheader", { name: "GE Voluson E8" })).closest("tr")!;
    expect([...row.children].slice(0, 7).map((cell) => cell.textContent)).toEqual([
      "St Mary",
      "GE Voluson E8",
      "2026-03-02",
      "2026-03-04",
      "5.0 %",
      "40 %",
      "Ongoing",
    ]);
    expect(screen.getByRole("link", { name: "2026-03-02" }).getAttribute("href")).toBe(
      "/dashboard/frames?hospital=3&machine=20&from=2026-03-02&to=2026-03-04&verdict=poor",
    );

    await userEvent.click(screen.getByRole("button", { name: /Acknowledge the alert on GE Voluson E8/ }));

    expect((await screen.findByText("Alert on GE Voluson E8 (St Mary) acknowledged.")).closest("[role=status]")).toBeTruthy();
    await waitFor(() => expect(screen.getByText("No open drift alerts.")).toBeTruthy());
    expect(server.paths()).toContain("/api/alerts/5/acknowledge/");
    expect(server.requests().find((r) => r.method === "POST")!.headers.get("X-CSRFToken")).toBe("t0k3n");
  });

  it("offers no acknowledgement to an expert", async () => {
    fakeServer(() => answer(200, page([alertAnswer])));

    renderPage(<AlertsPage />, { path: "/alerts", me: { ...manager, role: "expert" } });

    await screen.findByRole("rowheader", { name: "GE Voluson E8" });
    expect(screen.queryByRole("button", { name: /Acknowledge/ })).toBeNull();
  });
});
