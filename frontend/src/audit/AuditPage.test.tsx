import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Me } from "../auth/session";
import { answer, fakeServer, renderPage } from "../test/render";
import { AuditPage } from "./AuditPage";

const admin: Me = {
  id: 1,
  username: "root",
  role: "admin",
  hospitals: [
    { id: 3, name: "St Mary", slug: "st-mary" },
    { id: 4, name: "Northgate", slug: "northgate" },
  ],
};

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

const page = (results: unknown[], extra = {}) => answer(200, { count: results.length, next: null, previous: null, results, ...extra });

function open(search = "") {
  return renderPage(<AuditPage />, { path: `/audit${search ? `?${search}` : ""}`, me: admin });
}

/** The query of the n-th request, as a plain object. */
const asked = (server: ReturnType<typeof fakeServer>, n = 0) =>
  Object.fromEntries(new URL(server.requests()[n]!.url).searchParams);

afterEach(() => vi.unstubAllGlobals());

describe("the audit log page", () => {
  it("shows each event as a row: when in UTC, who, what, where, to what, from where, detail", async () => {
    const server = fakeServer(() => page([upload, failed]));

    open();
    await waitFor(() => expect(document.querySelectorAll("tbody tr")).toHaveLength(2));

    expect(new URL(server.requests()[0]!.url).pathname).toBe("/api/audit-events/");
    expect(asked(server)).toEqual({ limit: "50", offset: "0" });
    const rows = [...document.querySelectorAll("tbody tr")].map((row) => [...row.children].map((cell) => cell.textContent));
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
    expect([...document.querySelectorAll("th")].map((th) => th.getAttribute("scope"))).toEqual(Array(7).fill("col"));
    expect(document.querySelector(".pager")).toBeNull();
  });

  it("fills the filters from the address, asks for them, and links the CSV with the same ones", async () => {
    const server = fakeServer(() => page([]));

    open("actor=ana.qa&action=upload&hospital=4&from=2026-03-01&to=2026-03-02");
    expect(await screen.findByText("No events match these filters.")).toBeTruthy();

    expect(asked(server)).toEqual({
      limit: "50",
      offset: "0",
      actor: "ana.qa",
      action: "upload",
      hospital: "4",
      from: "2026-03-01",
      to: "2026-03-02",
    });
    const value = (label: string) => screen.getByLabelText<HTMLInputElement | HTMLSelectElement>(label).value;
    expect([value("Actor (username)"), value("Action"), value("Hospital"), value("From"), value("To")]).toEqual([
      "ana.qa",
      "upload",
      "4",
      "2026-03-01",
      "2026-03-02",
    ]);
    const csv = screen.getByRole("link", { name: "Download CSV" });
    expect(csv.getAttribute("href")).toBe(
      "/api/audit-events/export.csv?actor=ana.qa&action=upload&hospital=4&from=2026-03-01&to=2026-03-02",
    );
    expect(csv.hasAttribute("download")).toBe(true);
  });

  it("labels every filter and lists hospitals, kinds of action and single actions", () => {
    fakeServer(() => new Promise<Response>(() => undefined));

    open();

    for (const control of document.querySelectorAll("input, select")) {
      expect(document.querySelector(`label[for="${control.id}"]`), control.id).not.toBeNull();
    }
    const hospitals = [...document.querySelectorAll("#audit-hospital option")].map((o) => o.textContent);
    expect(hospitals).toEqual(["All hospitals", "St Mary", "Northgate"]);
    const actions = [...document.querySelectorAll<HTMLOptionElement>("#audit-action option")].map((o) => o.value);
    expect(actions.slice(0, 3)).toEqual(["", "auth", "upload"]);
    expect(actions).toContain("auth.login_failed");
    expect(screen.getByRole("status").textContent).toBe("Loading the audit log…");
  });

  it("sends the chosen filters through the address, leaving out the empty ones, from the first page", async () => {
    const server = fakeServer(() => page([]));
    open("offset=50");

    await userEvent.type(screen.getByLabelText("Actor (username)"), "  ana.qa ");
    await userEvent.selectOptions(screen.getByLabelText("Action"), "auth.login_failed");
    await userEvent.type(screen.getByLabelText("From"), "2026-03-01");
    await userEvent.click(screen.getByRole("button", { name: "Filter" }));

    await waitFor(() => expect(server.requests()).toHaveLength(2));
    expect(asked(server, 1)).toEqual({ limit: "50", offset: "0", actor: "ana.qa", action: "auth.login_failed", from: "2026-03-01" });
    expect(screen.getByLabelText<HTMLInputElement>("Actor (username)").value).toBe("ana.qa");
  });

  it("pages through the log keeping the filters", async () => {
    fakeServer(() => page([upload], { count: 120, next: "/api/audit-events/?limit=50&offset=100", previous: "x" }));

    open("action=auth&offset=50");
    await waitFor(() => expect(document.querySelector(".pager")).not.toBeNull());

    const links = [...document.querySelectorAll(".pager a")].map((a) => [a.textContent, a.getAttribute("href")]);
    expect(links).toEqual([
      ["← Newer", "/audit?action=auth"],
      ["Older →", "/audit?action=auth&offset=100"],
    ]);
    expect(document.querySelector(".pager span")?.textContent).toBe("51–100 of 120");
  });

  it("shows the server's message when a filter is refused", async () => {
    fakeServer(() => answer(400, { error: { code: "invalid", message: "to: The end of the period comes before its start." } }));

    open("from=2026-03-03&to=2026-03-02");
    const alert = await screen.findByRole("alert");

    expect(alert.querySelector(".alert-title")?.textContent).toBe("The audit log could not be loaded");
    expect(alert.querySelector("p")?.textContent).toBe("to: The end of the period comes before its start.");
  });
});
