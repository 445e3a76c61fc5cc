import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { admin, answer, fakeServer, renderPage } from "../test/render";
import { page, reassessment, run, trainingSets, versions } from "./fixtures";
import { ModelsPage } from "./ModelsPage";

afterEach(() => vi.unstubAllGlobals());

function server(overrides: Record<string, (request: Request) => Response> = {}) {
  return fakeServer((url, request) => {
    const key = `${request.method} ${url.pathname}`;
    if (overrides[key]) return overrides[key](request);
    if (key === "GET /api/model-versions/") return answer(200, page(versions));
    if (key === "GET /api/training-runs/") return answer(200, page([run({ status: "done", progress: 1, candidate: { id: 9, kind: "fusqa", version: "run12" } })]));
    if (key === "GET /api/training-sets/") return answer(200, page(trainingSets));
    if (key === "GET /api/reassessments/") return answer(200, page([reassessment]));
    return answer(404, { error: { code: "not_found", message: "no" } });
  });
}

const show = () => renderPage(<ModelsPage />, { path: "/models", me: admin });

describe("the models page", () => {
  it("lists each kind's versions with the active one marked, its metrics, parent and training set", async () => {
    server();
    show();

    const fusqa = await screen.findByRole("table", { name: "FUSQA quality classifier versions" });
    const active = within(fusqa).getByRole("rowheader", { name: "2026.11" }).closest("tr")!;
    expect(within(active).getByText("Active")).toBeTruthy();
    expect(active.textContent).toContain("auc 0.912");
    const candidate = within(fusqa).getByRole("rowheader", { name: "run12" }).closest("tr")!;
    expect(candidate.querySelectorAll("td")[2]!.textContent).toBe("2026.11");
    expect(candidate.querySelectorAll("td")[3]!.textContent).toBe("#3");
    expect(within(candidate).getByRole("link", { name: "Evaluation and activation" }).getAttribute("href")).toBe("/models/versions/9");
    const segmentation = screen.getByRole("table", { name: "Segmentation versions" });
    expect(within(segmentation).getByText("seg-1")).toBeTruthy();
    const runs = screen.getByRole("table", { name: "Training runs" });
    expect(within(runs).getByRole("link", { name: "Run 12" }).getAttribute("href")).toBe("/models/runs/12");
  });

  it("shows how far the re-assessment of recent frames is", async () => {
    server();
    show();

    expect(await screen.findByText(/2026.11: 50 of 200 frames since 2026-11-21 re-judged \(25 %\), 7 changed verdict — running/)).toBeTruthy();
    expect(screen.getByRole("progressbar", { name: "Re-assessment by 2026.11" }).getAttribute("value")).toBe("0.25");
  });

  it("starts a run with the chosen training set, kind and parameters, sane defaults filled in", async () => {
    let body: unknown;
    server({
      "POST /api/training-runs/": (request) => {
        void request.json().then((value) => (body = value));
        return answer(201, run({ id: 13, status: "pending", progress: 0 }));
      },
    });
    show();

    await screen.findByRole("option", { name: "v2 (340 items)" });
    fireEvent.change(screen.getByLabelText("Epochs"), { target: { value: "3" } });
    fireEvent.click(screen.getByRole("button", { name: "Start the run" }));

    await waitFor(() => expect(body).toEqual({ kind: "fusqa", training_set: 3, parameters: { epochs: 3, lr: 0.0003, batch_size: 16, seed: 0 } }));
    expect(await screen.findByText("Another page")).toBeTruthy();
  });

  it("names the run already going when the server answers 409", async () => {
    server({
      "POST /api/training-runs/": () =>
        answer(409, { error: { code: "run_in_progress", message: "a fusqa training run is already going: run 12 (running)" } }),
    });
    show();

    await screen.findByRole("option", { name: "v2 (340 items)" });
    fireEvent.change(screen.getByLabelText("Model"), { target: { value: "segmentation" } });
    expect((screen.getByLabelText("Learning rate") as HTMLInputElement).value).toBe("0.0005");
    fireEvent.click(screen.getByRole("button", { name: "Start the run" }));

    expect(await screen.findByText("a fusqa training run is already going: run 12 (running)")).toBeTruthy();
  });

  it("rolls back to an earlier version with the reason given", async () => {
    let body: unknown;
    const fake = server({
      "POST /api/model-versions/2/activate/": (request) => {
        void request.json().then((value) => (body = value));
        return answer(200, { ...versions[2], status: "active" });
      },
    });
    show();

    fireEvent.change(await screen.findByLabelText("Reason for rolling back to 2026.10"), { target: { value: "run12 misses leaks" } });
    fireEvent.click(screen.getByRole("button", { name: "Roll back to 2026.10" }));

    expect(await screen.findByText(/2026.10 is active again/)).toBeTruthy();
    expect(body).toEqual({ reason: "run12 misses leaks" });
    expect(fake.paths()).toContain("/api/model-versions/2/activate/");
  });
});
