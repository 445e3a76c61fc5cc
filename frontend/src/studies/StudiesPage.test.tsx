import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { admin, answer, fakeServer, renderPage } from "../test/render";
import type { Study } from "./api";
import { StudiesPage } from "./StudiesPage";

const study: Study = {
  id: 12,
  hospital: { id: 3, name: "St Mary", slug: "st-mary" },
  machine: { id: 2, manufacturer: "Phantom Medical", model_name: "PX-7" },
  patient_key: "k",
  exam_date: "2025-03-04",
  reported_ga_days: 80,
  created_at: "",
  frame_count: 3,
  quality: "poor",
  status: "pending",
  good_frames: 1,
  poor_frames: 1,
  unknown_frames: 0,
  in_flight_frames: 1,
  lowest_p_good: 0.0004,
};

const hospitals = {
  count: 1,
  next: null,
  previous: null,
  results: [
    { id: 3, name: "St Mary", slug: "st-mary", created_at: "", machines: [{ id: 2, manufacturer: "Phantom Medical", model_name: "PX-7" }] },
  ],
};

afterEach(() => vi.unstubAllGlobals());

describe("the studies page", () => {
  it("lists the studies with quality and status, and pages through them keeping the filters", async () => {
    const server = fakeServer(({ pathname }) =>
      pathname === "/api/hospitals/"
        ? answer(200, hospitals)
        : answer(200, { count: 60, next: "/api/studies/?offset=50", previous: "/api/studies/?offset=0", results: [study] }),
    );

    renderPage(<StudiesPage />, { path: "/studies?hospital=3&quality=poor&offset=25" });

    const row = (await screen.findByRole("link", { name: "Study #12" })).closest("tr")!;
    expect([...row.children].map((cell) => cell.textContent)).toEqual([
      "Study #12",
      "St Mary",
      "Phantom Medical PX-7",
      "2025-03-04",
      "11w 3d",
      "3",
      "Poor (1 good, 1 poor, 0 unknown)",
      "< 0.01",
      "In progress (1)",
    ]);
    expect(server.paths()).toContain("/api/studies/?limit=25&offset=25&hospital=3&quality=poor");
    const pager = [...document.querySelectorAll(".pager a")].map((a) => a.getAttribute("href"));
    expect(pager).toEqual(["/studies?hospital=3&quality=poor", "/studies?hospital=3&quality=poor&offset=50"]);
  });

  it("sends the chosen filters through the address", async () => {
    const server = fakeServer(({ pathname }) =>
      pathname === "/api/hospitals/" ? answer(200, hospitals) : answer(200, { count: 0, next: null, previous: null, results: [] }),
    );

    renderPage(<StudiesPage />, { path: "/studies", me: admin });
    expect(await screen.findByText("No studies yet: upload a scan to start one.")).toBeTruthy();
    await screen.findByRole("option", { name: "Phantom Medical PX-7" });

    await userEvent.selectOptions(screen.getByLabelText("Machine"), "2");
    await userEvent.type(screen.getByLabelText("Exam from"), "2025-03-01");
    await userEvent.selectOptions(screen.getByLabelText("Status"), "failed");
    await userEvent.type(screen.getByLabelText("Lowest p(good) to"), "0.5");
    await userEvent.click(screen.getByRole("button", { name: "Filter" }));

    await waitFor(() =>
      expect(server.paths()).toContain("/api/studies/?limit=25&offset=0&machine=2&from=2025-03-01&status=failed&p_max=0.5"),
    );
    expect(await screen.findByText("No study matches these filters.")).toBeTruthy();
    expect(screen.getByLabelText<HTMLSelectElement>("Machine").value).toBe("2");
  });
});
