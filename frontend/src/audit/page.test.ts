import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { PageContext } from "../app/page";
import type { Me } from "../auth/session";
import { auditPage } from "./page";

const admin: Me = {
  id: 1,
  username: "root",
  role: "admin",
  hospitals: [
    { id: 3, name: "St Mary", slug: "st-mary" },
    { id: 4, name: "Northgate", slug: "northgate" },
  ],
};

const answer = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

const upload = {
  id: 41,
  at: "2026-03-02T09:00:00.250000Z",
  actor: 7,
  actor_username: "ana.qa",
  action: "upload.stored",
  hospital: { id: 3, name: "St Mary", slug: "st-mary" },
  target_type: "study",
  target_id: "17",
  source: "203.0.113.9",
  detail: { frames: [5, 6, 7, 8, 9, 10, 11], file_kind: "dicom", field: null },
};
const failed = {
  id: 40,
  at: "2026-03-01T07:00:00Z",
  actor: null,
  actor_username: "ghost",
  action: "auth.login_failed",
  hospital: null,
  target_type: "",
  target_id: "",
  source: "198.51.100.4",
  detail: {},
};

function context(query = ""): PageContext {
  return { me: admin, params: {}, query: new URLSearchParams(query), signal: new AbortController().signal, navigate: vi.fn() };
}

let fetchMock: ReturnType<typeof vi.fn>;
beforeEach(() => {
  fetchMock = vi.fn();
  vi.stubGlobal("fetch", fetchMock);
});
afterEach(() => vi.unstubAllGlobals());

describe("the audit log page", () => {
  it("shows each event as a row: when in UTC, who, what, where, to what, from where, detail", async () => {
    fetchMock.mockResolvedValue(answer(200, { count: 2, next: null, previous: null, results: [upload, failed] }));

    const page = auditPage(context());
    await vi.waitFor(() => expect(page.querySelectorAll("tbody tr")).toHaveLength(2));

    expect(fetchMock.mock.calls[0]?.[0]).toBe("/api/audit-events/?limit=50&offset=0");
    const rows = [...page.querySelectorAll("tbody tr")].map((row) => [...row.children].map((cell) => cell.textContent));
    expect(rows).toEqual([
      [
        "2026-03-02 09:00:00 UTC",
        "ana.qa",
        "Upload stored",
        "St Mary",
        "study #17",
        "203.0.113.9",
        "frames: [5, 6, 7, 8, 9, … 2 more], file_kind: dicom",
      ],
      ["2026-03-01 07:00:00 UTC", "ghost", "Failed to log in", "—", "—", "198.51.100.4", "—"],
    ]);
    expect([...page.querySelectorAll("th")].map((th) => th.getAttribute("scope"))).toEqual(Array(7).fill("col"));
    expect(page.querySelector(".pager")).toBeNull();
  });

  it("fills the filters from the address, asks for them, and links the CSV with the same ones", async () => {
    fetchMock.mockResolvedValue(answer(200, { count: 0, next: null, previous: null, results: [] }));

    const page = auditPage(context("actor=ana.qa&action=upload&hospital=4&from=2026-03-01&to=2026-03-02"));
    await vi.waitFor(() => expect(page.textContent).toContain("No events match these filters."));

    expect(fetchMock.mock.calls[0]?.[0]).toBe(
      "/api/audit-events/?limit=50&offset=0&actor=ana.qa&action=upload&hospital=4&from=2026-03-01&to=2026-03-02",
    );
    const value = (id: string) => page.querySelector<HTMLInputElement | HTMLSelectElement>(`#${id}`)?.value;
    expect([value("audit-actor"), value("audit-action"), value("audit-hospital"), value("audit-from"), value("audit-to")]).toEqual(
      ["ana.qa", "upload", "4", "2026-03-01", "2026-03-02"],
    );
    const csv = [...page.querySelectorAll("a")].find((a) => a.textContent === "Download CSV")!;
    expect(csv.getAttribute("href")).toBe(
      "/api/audit-events/export.csv?actor=ana.qa&action=upload&hospital=4&from=2026-03-01&to=2026-03-02",
    );
    expect(csv.hasAttribute("download")).toBe(true);
  });

  it("labels every filter and lists hospitals, kinds of action and single actions", () => {
    fetchMock.mockReturnValue(new Promise(() => undefined));

    const page = auditPage(context());

    for (const control of page.querySelectorAll("input, select")) {
      expect(page.querySelector(`label[for="${control.id}"]`), control.id).not.toBeNull();
    }
    const hospitals = [...page.querySelectorAll("#audit-hospital option")].map((o) => o.textContent);
    expect(hospitals).toEqual(["All hospitals", "St Mary", "Northgate"]);
    const actions = [...page.querySelectorAll<HTMLOptionElement>("#audit-action option")].map((o) => o.value);
    expect(actions.slice(0, 3)).toEqual(["", "auth", "upload"]);
    expect(actions).toContain("auth.login_failed");
    expect(page.querySelector("[role=status]")?.textContent).toBe("Loading the audit log…");
  });

  it("sends the chosen filters through the address, leaving out the empty ones", () => {
    fetchMock.mockReturnValue(new Promise(() => undefined));
    const ctx = context("offset=50");
    const page = auditPage(ctx);

    page.querySelector<HTMLInputElement>("#audit-actor")!.value = "  ana.qa ";
    page.querySelector<HTMLSelectElement>("#audit-action")!.value = "auth.login_failed";
    page.querySelector<HTMLInputElement>("#audit-from")!.value = "2026-03-01";
    page.querySelector("form")!.dispatchEvent(new Event("submit", { cancelable: true }));

    // A new filter starts at the first page again.
    expect(ctx.navigate).toHaveBeenCalledWith("/audit?actor=ana.qa&action=auth.login_failed&from=2026-03-01");
  });

  it("pages through the log keeping the filters", async () => {
    fetchMock.mockResolvedValue(
      answer(200, { count: 120, next: "/api/audit-events/?limit=50&offset=100", previous: "x", results: [upload] }),
    );

    const page = auditPage(context("action=auth&offset=50"));
    await vi.waitFor(() => expect(page.querySelector(".pager")).not.toBeNull());

    const links = [...page.querySelectorAll(".pager a")].map((a) => [a.textContent, a.getAttribute("href")]);
    expect(links).toEqual([
      ["← Newer", "/audit?action=auth"],
      ["Older →", "/audit?action=auth&offset=100"],
    ]);
    expect(page.querySelector(".pager span")?.textContent).toBe("51–100 of 120");
  });

  it("shows the server's message when a filter is refused", async () => {
    fetchMock.mockResolvedValue(
      answer(400, { error: { code: "invalid", message: "to: The end of the period comes before its start." } }),
    );

    const page = auditPage(context("from=2026-03-03&to=2026-03-02"));
    await vi.waitFor(() => expect(page.querySelector("[role=alert]")).not.toBeNull());

    expect(page.querySelector("[role=alert] .alert-title")?.textContent).toBe("The audit log could not be loaded");
    expect(page.querySelector("[role=alert] p")?.textContent).toBe("to: The end of the period comes before its start.");
  });
});
