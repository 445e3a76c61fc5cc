import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { answer, fakeServer } from "../test/render";
import { SESSION_ENDED_EVENT } from "./client";
import { ApiError } from "./errors";
import { api, collectPages, unwrap } from "./typed";

function clearCookies(): void {
  for (const part of document.cookie.split(";")) {
    const name = part.split("=")[0]?.trim();
    if (name) document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`;
  }
}

beforeEach(() => clearCookies());
afterEach(() => vi.unstubAllGlobals());

describe("the typed API client", () => {
  it("sends the CSRF cookie back as X-CSRFToken on a POST, asking for the cookie first when there is none", async () => {
    const server = fakeServer(({ pathname }) => {
      if (pathname === "/api/auth/csrf/") document.cookie = "csrftoken=fresh; path=/";
      return answer(200, { id: 1, username: "ana", role: "admin", hospitals: [] });
    });

    const me = await unwrap(api.POST("/api/auth/login/", { body: { username: "ana", password: "pw" } }));

    expect(me.username).toBe("ana");
    expect(server.paths()).toEqual(["/api/auth/csrf/", "/api/auth/login/"]);
    const login = server.requests()[1]!;
    expect(login.headers.get("X-CSRFToken")).toBe("fresh");
    expect(login.credentials).toBe("same-origin");
    expect(await login.json()).toEqual({ username: "ana", password: "pw" });
  });

  it("sends no CSRF header on a GET, and fills path and query parameters", async () => {
    document.cookie = "csrftoken=tok; path=/";
    const server = fakeServer(() => answer(200, { id: 7, frames: [] }));

    await unwrap(api.GET("/api/studies/{study_id}/", { params: { path: { study_id: 7 } } }));

    expect(server.paths()).toEqual(["/api/studies/7/"]);
    expect(server.requests()[0]!.headers.has("X-CSRFToken")).toBe(false);
    expect(server.requests()[0]!.headers.get("Accept")).toBe("application/json");
  });

  it("turns the house error envelope into an ApiError with its message and field", async () => {
    fakeServer(() => answer(400, { error: { code: "invalid", message: "hospital: Not a number.", details: { hospital: ["Not a number."] } } }));

    const error = await unwrap(api.GET("/api/studies/", {})).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: "invalid", message: "hospital: Not a number.", field: "hospital" });
  });

  it("gives a readable message for a body that is not the API's, and for no server at all", async () => {
    fakeServer(() => new Response("<html>Bad gateway</html>", { status: 502, statusText: "Bad Gateway" }));
    await expect(unwrap(api.GET("/api/hospitals/", {}))).rejects.toMatchObject({
      status: 502,
      message: "The server failed to answer (502). Try again in a moment.",
    });

    vi.stubGlobal("fetch", vi.fn().mockRejectedValue(new TypeError("Failed to fetch")));
    await expect(unwrap(api.GET("/api/hospitals/", {}))).rejects.toMatchObject({ status: 0, code: "network" });
  });

  it("announces an ended session when a request outside /api/auth/ is refused as unauthenticated", async () => {
    const listener = vi.fn();
    window.addEventListener(SESSION_ENDED_EVENT, listener);
    fakeServer(() => answer(403, { error: { code: "not_authenticated", message: "No." } }));

    await unwrap(api.GET("/api/hospitals/", {})).catch(() => undefined);
    await unwrap(api.GET("/api/auth/me/", {})).catch(() => undefined);
    window.removeEventListener(SESSION_ENDED_EVENT, listener);

    expect(listener).toHaveBeenCalledTimes(1);
  });
});

describe("collectPages", () => {
  it("asks for the next offset while the server says there is a next page", async () => {
    const asked: number[] = [];
    const pages = [
      { count: 3, next: "x", previous: null, results: [1, 2] },
      { count: 3, next: null, previous: "y", results: [3] },
    ];

    const items = await collectPages(async (offset) => {
      asked.push(offset);
      return pages.shift()!;
    });

    expect(items).toEqual([1, 2, 3]);
    expect(asked).toEqual([0, 2]);
  });
});
