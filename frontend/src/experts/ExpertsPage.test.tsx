import { screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { admin, answer, fakeServer, renderPage } from "../test/render";
import { ExpertsPage } from "./ExpertsPage";

const stats = {
  experts: [
    {
      expert: { id: 5, username: "dr.amal" },
      reviews: 120,
      corrections: 30,
      active_hours: 1.5,
      items_per_hour: 80,
      median_seconds_per_item: 31.5,
      double_reads: 12,
      kappa_with_others: 0.7312,
      correction_dice: 0.9241,
      crl_difference_mm: 1.25,
      known_answer_reads: 6,
      known_answer_accuracy: 0.8333,
    },
    {
      expert: { id: 6, username: "dr.bo" },
      reviews: 0,
      corrections: 0,
      active_hours: 0,
      items_per_hour: null,
      median_seconds_per_item: null,
      double_reads: 0,
      kappa_with_others: null,
      correction_dice: null,
      crl_difference_mm: null,
      known_answer_reads: 0,
      known_answer_accuracy: null,
    },
  ],
  pairs: [
    {
      experts: [
        { id: 5, username: "dr.amal" },
        { id: 7, username: "dr.cy" },
      ],
      items: 12,
      kappa: 0.7312,
      correction_dice: 0.9241,
      crl_difference_mm: 1.25,
    },
  ],
  overall: {
    reviews: 160,
    double_read_items: 12,
    kappa: 0.7312,
    correction_dice: 0.9241,
    crl_difference_mm: 1.25,
    known_answer_reads: 9,
    known_answer_accuracy: 0.7778,
  },
};

const cells = (table: Element) =>
  [...table.querySelectorAll("tbody tr")].map((row) => [...row.children].map((cell) => cell.textContent));

afterEach(() => vi.unstubAllGlobals());

describe("the experts page", () => {
  it("shows each expert's numbers as the server computed them, a dash where there are none", async () => {
    const server = fakeServer(() => answer(200, stats));

    renderPage(<ExpertsPage />, { path: "/experts", me: admin });
    await waitFor(() => expect(document.querySelector(".experts-table")).not.toBeNull());

    expect(server.paths()).toEqual(["/api/experts/stats/"]);
    expect(cells(document.querySelector(".experts-table")!)).toEqual([
      ["dr.amal", "120", "80.0", "31.5", "0.73 (12 items)", "0.924", "1.3", "83 % (6 reads)"],
      ["dr.bo", "0", "—", "—", "—", "—", "—", "—"],
    ]);
    expect(cells(document.querySelector(".expert-pairs-table")!)).toEqual([["dr.amal & dr.cy", "12", "0.73", "0.924", "1.3"]]);
    expect(screen.getByText("78 % (9 reads)")).toBeTruthy();
    expect([...document.querySelectorAll(".experts-table thead th")].map((th) => th.textContent)).toEqual([
      "Expert",
      "Reviews",
      "Items per hour",
      "Median s per item",
      "Kappa with others",
      "Correction Dice",
      "CRL difference (mm)",
      "Known-answer accuracy",
    ]);
  });

  it("says so when the statistics cannot be loaded", async () => {
    fakeServer(() => answer(403, { error: { code: "permission_denied", message: "Only an admin may do this." } }));

    renderPage(<ExpertsPage />, { path: "/experts", me: admin });

    expect(await screen.findByText("The expert statistics could not be loaded")).toBeTruthy();
    expect(screen.getByText("Only an admin may do this.")).toBeTruthy();
  });
});
