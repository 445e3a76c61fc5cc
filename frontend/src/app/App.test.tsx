import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SESSION_ENDED_EVENT } from "../api/client";
import { dashboardAnswer } from "../dashboard/fixtures";
import { answer, fakeServer, manager } from "../test/render";
import { App, createQueryClient } from "./App";
import { safeNext } from "./routes";

// ECharts draws on a canvas happy-dom does not have; the charts' own tests cover the wrapper.
vi.mock("../ui/Chart", () => ({ Chart: ({ label }: { label: string }) => <div role="img" aria-label={label} /> }));

const empty = { count: 0, next: null, previous: null, results: [] };

function start(path: string) {
  window.history.replaceState(null, "", path);
  return render(<App client={createQueryClient()} />);
}

const navLinks = () =>
  screen.getAllByRole("link").filter((link) => link.closest("nav")).map((link) => [link.textContent, link.getAttribute("aria-current")]);

afterEach(() => vi.unstubAllGlobals());

describe("safeNext", () => {
  it("keeps an in-app path and refuses anything that leaves the app", () => {
    expect(safeNext("/upload")).toBe("/upload");
    expect(safeNext("/studies/4?tab=frames")).toBe("/studies/4?tab=frames");
    for (const next of [null, "", "//evil.example/", "https://evil.example/", "/api/auth/me/", "/login?next=/x"]) {
      expect(safeNext(next), String(next)).toBe("/dashboard");
    }
  });
});

describe("the app", () => {
  it("sends a visitor without a session to the login page, remembering where they were going", async () => {
    fakeServer(() => answer(403, { error: { code: "not_authenticated", message: "No." } }));

    start("/upload");

    expect(await screen.findByRole("heading", { level: 1, name: "Log in" })).toBeTruthy();
    await waitFor(() => expect(window.location.pathname + window.location.search).toBe("/login?next=%2Fupload"));
    await waitFor(() => expect(document.title).toBe("Log in · FUSQA"));
  });

  it("logs in and goes on to the page in ?next=, with focus on the new page", async () => {
    let loggedIn = false;
    const server = fakeServer(({ pathname }, request) => {
      if (pathname === "/api/auth/me/") return loggedIn ? answer(200, manager) : answer(403, { error: { code: "not_authenticated", message: "No." } });
      if (pathname === "/api/auth/csrf/") {
        document.cookie = "csrftoken=tok; path=/";
        return answer(200, {});
      }
      if (pathname === "/api/auth/login/" && request.method === "POST") {
        loggedIn = true;
        return answer(200, manager);
      }
      return answer(200, empty);
    });
    start("/login?next=%2Fstudies");

    await userEvent.type(await screen.findByLabelText("Username"), "ana");
    await userEvent.type(screen.getByLabelText("Password"), "secret");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Studies" })).toBeTruthy();
    expect(window.location.pathname).toBe("/studies");
    await waitFor(() => expect(document.activeElement?.id).toBe("main"));
    const login = server.requests().find((request) => new URL(request.url).pathname === "/api/auth/login/")!;
    expect(login.headers.get("X-CSRFToken")).toBe("tok");
    expect(await login.json()).toEqual({ username: "ana", password: "secret" });
  });

  it("shows the server's refusal and keeps focus in the password box", async () => {
    fakeServer(({ pathname }) => {
      if (pathname === "/api/auth/login/") {
        return answer(400, { error: { code: "invalid", message: "The username or password is incorrect." } });
      }
      return answer(403, { error: { code: "not_authenticated", message: "No." } });
    });
    start("/login");

    await userEvent.type(await screen.findByLabelText("Username"), "ana");
    await userEvent.type(screen.getByLabelText("Password"), "wrong");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));

    expect((await screen.findByRole("alert")).textContent).toContain("The username or password is incorrect.");
    expect(document.activeElement).toBe(screen.getByLabelText("Password"));
  });

  it("opens the dashboard, the home page, with the navigation for a logged-in QA manager", async () => {
    fakeServer(({ pathname }) =>
      answer(200, pathname === "/api/auth/me/" ? manager : pathname === "/api/dashboard/" ? dashboardAnswer : empty),
    );

    start("/");

    expect(await screen.findByRole("heading", { level: 1, name: "Dashboard" })).toBeTruthy();
    expect(window.location.pathname).toBe("/dashboard");
    expect(navLinks()).toEqual([
      ["Dashboard", "page"],
      ["Alerts", null],
      ["Hospitals", null],
      ["Studies", null],
      ["Upload", null],
    ]);
    expect(document.querySelector(".user-name")?.textContent).toBe("ana");
  });

  it("moves focus to the main region when a link changes the page", async () => {
    fakeServer(({ pathname }) => answer(200, pathname === "/api/auth/me/" ? manager : empty));
    start("/hospitals");
    await screen.findByRole("heading", { level: 1, name: "Hospitals" });
    expect(document.activeElement?.id).not.toBe("main");

    await userEvent.click(screen.getByRole("link", { name: "Studies" }));

    expect(await screen.findByRole("heading", { level: 1, name: "Studies" })).toBeTruthy();
    expect(document.activeElement?.id).toBe("main");
    expect(document.title).toBe("Studies · FUSQA");
  });

  it("shows the Audit log link to an admin only, and refuses the page to others", async () => {
    fakeServer(({ pathname }) => answer(200, pathname === "/api/auth/me/" ? { ...manager, role: "admin" } : empty));
    const admin = start("/hospitals");
    await screen.findByRole("heading", { level: 1, name: "Hospitals" });
    expect(navLinks().map(([name]) => name)).toEqual([
      "Dashboard",
      "Alerts",
      "Hospitals",
      "Studies",
      "Review",
      "Upload",
      "Experts",
      "Training",
      "Audit log",
    ]);
    admin.unmount();

    fakeServer(({ pathname }) => answer(200, pathname === "/api/auth/me/" ? manager : empty));
    start("/audit");
    expect(await screen.findByRole("heading", { level: 1, name: "Audit log" })).toBeTruthy();
    expect(screen.getByRole("status").textContent).toContain("Your role does not include this page.");
  });

  it("refuses the Experts page to anyone but an admin, and hides its link", async () => {
    fakeServer(({ pathname }) => answer(200, pathname === "/api/auth/me/" ? { ...manager, role: "expert" } : empty));
    start("/experts");
    expect(await screen.findByRole("heading", { level: 1, name: "Experts" })).toBeTruthy();
    expect(screen.getByRole("status").textContent).toContain("Your role does not include this page.");
    expect(navLinks().map(([name]) => name)).not.toContain("Experts");
  });

  it("shows Review, not Upload, to an expert", async () => {
    fakeServer(({ pathname }) => answer(200, pathname === "/api/auth/me/" ? { ...manager, role: "expert" } : empty));

    start("/hospitals");

    await screen.findByRole("heading", { level: 1, name: "Hospitals" });
    expect(navLinks().map(([name]) => name)).toEqual(["Dashboard", "Alerts", "Hospitals", "Studies", "Review"]);
  });

  it("sends the person to the login page with a notice when the session ends", async () => {
    fakeServer(({ pathname }) => answer(200, pathname === "/api/auth/me/" ? manager : empty));
    start("/studies");
    await screen.findByRole("heading", { level: 1, name: "Studies" });

    window.dispatchEvent(new CustomEvent(SESSION_ENDED_EVENT));

    expect(await screen.findByRole("heading", { level: 1, name: "Log in" })).toBeTruthy();
    expect(window.location.pathname).toBe("/login");
    expect(screen.getByRole("status").textContent).toContain("Your session has ended.");
  });
});
