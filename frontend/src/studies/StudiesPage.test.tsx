import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { admin, answer, fakeServer, renderPage } from "../test/render";
import { StudiesPage } from "./StudiesPage";

const study = {
  id: 12,
  hospital: { id: 3, name: "St Mary", slug: "st-mary" },
  machine: { id: 2, manufacturer: "Phantom Medical", model_name: "PX-7" },
  patient_key: "k",
  exam_date: "2025-03-04",
  reported_ga_days: 80,
  created_at: "",
  frame_count: 3,
};

afterEach(() => vi.unstubAllGlobals());

describe("the studies page", () => {
  it("lists the studies with links, and pages through them keeping the hospital", async () => {
    const server = fakeServer(() =>
      answer(200, { count: 60, next: "/api/studies/?offset=50", previous: "/api/studies/?offset=0", results: [study] }),
    );

    renderPage(<StudiesPage />, { path: "/studies?hospital=3&offset=25" });

    const row = (await screen.findByRole("link", { name: "Study #12" })).closest("tr")!;
    expect([...row.children].map((cell) => cell.textContent)).toEqual([
      "Study #12",
      "St Mary",
      "Phantom Medical PX-7",
      "2025-03-04",
      "11w 3d",
      "3",
    ]);
    expect(server.paths()).toEqual(["/api/studies/?limit=25&offset=25&hospital=3"]);
    const pager = [...document.querySelectorAll(".pager a")].map((a) => a.getAttribute("href"));
    expect(pager).toEqual(["/studies?hospital=3", "/studies?hospital=3&offset=50"]);
    expect(document.querySelector(".pager span")?.textContent).toBe("26–50 of 60");
  });

  it("filters by hospital through the address; an admin of no hospital gets them all to choose from", async () => {
    const server = fakeServer(({ pathname }) =>
      pathname === "/api/hospitals/"
        ? answer(200, { count: 1, next: null, previous: null, results: [{ id: 4, name: "Northgate", slug: "n", machines: [], created_at: "" }] })
        : answer(200, { count: 0, next: null, previous: null, results: [] }),
    );

    renderPage(<StudiesPage />, { path: "/studies", me: admin });
    expect(await screen.findByText("No studies yet: upload a scan to start one.")).toBeTruthy();
    await screen.findByRole("option", { name: "Northgate" });

    await userEvent.selectOptions(screen.getByLabelText("Hospital"), "4");

    await waitFor(() => expect(server.paths()).toContain("/api/studies/?limit=25&offset=0&hospital=4"));
    expect(screen.getByLabelText<HTMLSelectElement>("Hospital").value).toBe("4");
  });
});
