import { fireEvent, screen, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { admin, answer, fakeServer, renderPage } from "../test/render";
import { EvaluationPage } from "./EvaluationPage";
import { evaluation, versions } from "./fixtures";

afterEach(() => vi.unstubAllGlobals());

const show = () => renderPage(<EvaluationPage />, { path: "/models/versions/9", pattern: "/models/versions/:id", me: admin });

function server(activate: (body: { reason?: string }) => Response, shown = evaluation()) {
  const bodies: unknown[] = [];
  fakeServer(async ({ pathname }, request) => {
    if (pathname === "/api/model-versions/9/evaluation/") return answer(200, shown);
    if (pathname === "/api/model-versions/9/activate/") {
      const body = (await request.json()) as { reason?: string };
      bodies.push(body);
      return activate(body);
    }
    return answer(200, {});
  });
  return bodies;
}

describe("a candidate's evaluation", () => {
  it("sets candidate and active side by side per hospital and marks the regressions", async () => {
    server(() => answer(200, {}));
    show();

    const table = await screen.findByRole("table", { name: "Candidate and active version per hospital" });
    const northgate = within(table).getByText("northgate").closest("tr")!;
    const auc = northgate.querySelector('[data-metric="auc"]')!;
    expect(auc.className).toBe("regression");
    expect(auc.textContent).toBe("0.810 (0.900) regression");
    const southbank = within(table).getByText("southbank").closest("tr")!;
    expect(southbank.querySelectorAll(".regression")).toHaveLength(0);
    expect(southbank.querySelector('[data-metric="sensitivity_poor"]')!.textContent).toBe("0.880 (0.500)");
    expect(screen.getByText("Regressions beyond the margin at northgate.")).toBeTruthy();
  });

  it("activates a candidate the gate allows without a reason", async () => {
    const bodies = server(() => answer(200, { ...versions[0], status: "active" }), evaluation({ allowed: true, regressions: [] }));
    show();

    fireEvent.click(await screen.findByRole("button", { name: "Activate" }));

    expect(await screen.findByText("run12 is active")).toBeTruthy();
    expect(bodies).toEqual([{}]);
  });

  it("overrides a refusal only with a written reason", async () => {
    const bodies = server((body) =>
      body.reason
        ? answer(200, { ...versions[0], status: "active" })
        : answer(409, { error: { code: "gate_refused", message: "run12 would regress beyond the margin at northgate" } }),
    );
    show();

    const button = await screen.findByRole("button", { name: "Override and activate" });
    expect((button as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(screen.getByLabelText("Reason to override the gate"), { target: { value: "northgate's AUC set is 3 items" } });
    fireEvent.click(button);

    expect(await screen.findByText("run12 is active")).toBeTruthy();
    expect(bodies).toEqual([{ reason: "northgate's AUC set is 3 items" }]);
  });

  it("shows the server's refusal when the gate turns it down", async () => {
    server(() => answer(409, { error: { code: "gate_refused", message: "run12 would regress beyond the margin at northgate" } }), evaluation({ allowed: true, regressions: [] }));
    show();

    fireEvent.click(await screen.findByRole("button", { name: "Activate" }));

    expect(await screen.findByText("run12 would regress beyond the margin at northgate")).toBeTruthy();
    expect(screen.getByText("Activation refused")).toBeTruthy();
    expect(screen.getByLabelText("Reason to override the gate")).toBeTruthy();
  });
});
