import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ApiError, getAll, getJson, messageOf, postJson, request, SESSION_ENDED_EVENT } from "./client";

function jsonResponse(status: number, body: unknown): Response {
  return new Response(body === undefined ? null : JSON.stringify(body), {
    status,
    headers: { "Content-Type": "application/json" },
  });
}

function clearCookies(): void {
  for (const part of document.cookie.split(";")) {
    const name = part.split("=")[0]?.trim();
    if (name) document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`;
  }
}

let fetchMock: ReturnType<typeof vi.fn>;

beforeEach(() => {
  clearCookies();
  fetchMock = vi.fn();
  vi.stubGlobal("fetch", fetchMock);
});

afterEach(() => {
  vi.unstubAllGlobals();
});

function sent(call: number): { url: string; init: RequestInit; headers: Headers } {
  const [url, init] = fetchMock.mock.calls[call] as [string, RequestInit];
  return { url, init, headers: new Headers(init.headers) };
}

describe("the API client", () => {
  it("sends the csrftoken cookie back as X-CSRFToken on a POST, with same-origin credentials", async () => {
    document.cookie = "csrftoken=token-123; path=/";
    fetchMock.mockResolvedValue(jsonResponse(200, { id: 1 }));

    await postJson("/api/auth/login/", { username: "ana", password: "secret" });

    const { url, init, headers } = sent(0);
    expect(url).toBe("/api/auth/login/");
    expect(init.method).toBe("POST");
    expect(init.credentials).toBe("same-origin");
    expect(headers.get("X-CSRFToken")).toBe("token-123");
    expect(headers.get("Content-Type")).toBe("application/json");
    expect(init.body).toBe('{"username":"ana","password":"secret"}');
  });

  it("sends no CSRF header on a GET", async () => {
    document.cookie = "csrftoken=token-123; path=/";
    fetchMock.mockResolvedValue(jsonResponse(200, { ok: true }));

    await expect(getJson("/api/hospitals/")).resolves.toEqual({ ok: true });

    expect(sent(0).headers.has("X-CSRFToken")).toBe(false);
    expect(sent(0).init.credentials).toBe("same-origin");
  });

  it("asks the server for a CSRF cookie first when there is none", async () => {
    fetchMock.mockImplementation(async (url: string) => {
      if (url === "/api/auth/csrf/") document.cookie = "csrftoken=fresh-token; path=/";
      return jsonResponse(200, {});
    });

    await postJson("/api/auth/logout/");

    expect(fetchMock.mock.calls.map(([url]) => url)).toEqual(["/api/auth/csrf/", "/api/auth/logout/"]);
    expect(sent(1).headers.get("X-CSRFToken")).toBe("fresh-token");
  });

  it("sends FormData as it is, leaving the multipart boundary to the browser", async () => {
    document.cookie = "csrftoken=t; path=/";
    fetchMock.mockResolvedValue(jsonResponse(201, {}));
    const form = new FormData();
    form.append("hospital", "3");

    await request("POST", "/api/uploads/", { body: form });

    expect(sent(0).init.body).toBe(form);
    expect(sent(0).headers.has("Content-Type")).toBe(false);
  });

  it("turns the server's error body into an ApiError carrying its message", async () => {
    document.cookie = "csrftoken=t; path=/";
    fetchMock.mockResolvedValue(
      jsonResponse(400, { error: { code: "invalid", message: "Enter a valid username and password.", field: "password" } }),
    );

    const error = await postJson("/api/auth/login/", {}).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({
      status: 400,
      code: "invalid",
      message: "Enter a valid username and password.",
      field: "password",
    });
    expect(messageOf(error)).toBe("Enter a valid username and password.");
  });

  it("takes the field of a validation error from its details", async () => {
    fetchMock.mockResolvedValue(
      jsonResponse(400, {
        error: { code: "invalid", message: "hospital: A valid integer is required.", details: { hospital: ["A valid integer is required."] } },
      }),
    );

    const error = await getJson("/api/studies/?hospital=x").catch((e: unknown) => e);

    expect(error).toMatchObject({ field: "hospital", message: "hospital: A valid integer is required." });
  });

  it("gives a readable message when the error body is not the API's JSON", async () => {
    fetchMock.mockResolvedValue(new Response("<html>Bad gateway</html>", { status: 502, statusText: "Bad Gateway" }));

    const error = await getJson("/api/hospitals/").catch((e: unknown) => e);

    expect(error).toMatchObject({ status: 502, code: "error" });
    expect((error as ApiError).message).toBe("The server failed to answer (502). Try again in a moment.");
  });

  it("reports an unreachable server as a network error", async () => {
    fetchMock.mockRejectedValue(new TypeError("Failed to fetch"));

    const error = await getJson("/api/hospitals/").catch((e: unknown) => e);

    expect(error).toMatchObject({ status: 0, code: "network" });
    expect((error as ApiError).message).toContain("Could not reach the server");
  });

  it("announces an ended session when a non-auth request is refused as unauthenticated", async () => {
    const listener = vi.fn();
    window.addEventListener(SESSION_ENDED_EVENT, listener);
    fetchMock.mockResolvedValue(
      jsonResponse(403, { error: { code: "not_authenticated", message: "Authentication credentials were not provided." } }),
    );

    await getJson("/api/hospitals/").catch(() => undefined);
    await getJson("/api/auth/me/").catch(() => undefined);

    window.removeEventListener(SESSION_ENDED_EVENT, listener);
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it("collects every page of a paginated list, keeping the requests same-origin", async () => {
    fetchMock
      .mockResolvedValueOnce(
        jsonResponse(200, { count: 3, next: "http://testserver/api/hospitals/?limit=2&offset=2", previous: null, results: [1, 2] }),
      )
      .mockResolvedValueOnce(jsonResponse(200, { count: 3, next: null, previous: null, results: [3] }));

    await expect(getAll<number>("/api/hospitals/")).resolves.toEqual([1, 2, 3]);
    expect(sent(1).url).toBe("/api/hospitals/?limit=2&offset=2");
  });

  it("accepts an unpaginated array from a list endpoint", async () => {
    fetchMock.mockResolvedValue(jsonResponse(200, [{ id: 1 }]));

    await expect(getAll("/api/hospitals/")).resolves.toEqual([{ id: 1 }]);
  });
});
