import { fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { admin, answer, fakeServer, renderPage } from "../test/render";
import { run } from "./fixtures";
import { lossCurveOption, RunPage } from "./RunPage";

vi.mock("../ui/Chart", () => ({ Chart: ({ label }: { label: string }) => <div role="img" aria-label={label} /> }));

afterEach(() => vi.unstubAllGlobals());

const show = () => renderPage(<RunPage />, { path: "/models/runs/12", pattern: "/models/runs/:id", me: admin });

describe("a training run's page", () => {
  it("shows live progress, the loss curve and the log's tail, polling every 2 s until the run ends", async () => {
    const answers = [run(), run({ status: "done", progress: 1, epoch: 5, candidate: { id: 9, kind: "fusqa", version: "run12" } })];
    const fake = fakeServer(({ pathname }) =>
      pathname === "/api/training-runs/12/" ? answer(200, answers.length > 1 ? answers.shift() : answers[0]) : answer(404, {}),
    );
    show();

    expect(await screen.findByText("running — 42 %, epoch 3 of 5, about 42 s left")).toBeTruthy();
    expect(screen.getByRole("img", { name: "Loss and validation auc per epoch" })).toBeTruthy();
    expect(screen.getByRole("table", { name: "Loss per epoch" }).textContent).toContain("0.845");
    expect(screen.getByText(/epoch 2\/5: loss 0.402/)).toBeTruthy();

    const link = await screen.findByRole("link", { name: "Evaluate and activate run12" }, { timeout: 4000 });
    expect(link.getAttribute("href")).toBe("/models/versions/9");
    const polls = fake.paths().filter((path) => path === "/api/training-runs/12/").length;
    expect(polls).toBe(2);
    expect(screen.queryByRole("button", { name: "Cancel the run" })).toBeNull();
  });

  it("cancels a running run", async () => {
    const fake = fakeServer(({ pathname }, request) => {
      if (request.method === "POST" && pathname === "/api/training-runs/12/cancel/") return answer(200, run({ status: "cancelled" }));
      if (pathname === "/api/auth/csrf/") return answer(200, {});
      return answer(200, run());
    });
    show();

    fireEvent.click(await screen.findByRole("button", { name: "Cancel the run" }));

    expect(await screen.findByText("The run was cancelled: it made no candidate.")).toBeTruthy();
    await waitFor(() => expect(fake.paths()).toContain("/api/training-runs/12/cancel/"));
  });

  it("says why a run failed", async () => {
    fakeServer(() => answer(200, run({ status: "failed", error: "the training set has no poor item" })));
    show();

    expect(await screen.findByText("the training set has no poor item")).toBeTruthy();
  });

  it("draws loss and the validation metric per epoch", () => {
    const option = lossCurveOption(run(), "auc") as { series: { data: (number | null)[] }[] };
    expect(option.series[0]!.data).toEqual([0.52, 0.4]);
    expect(option.series[1]!.data).toEqual([0.81, 0.845]);
  });
});
