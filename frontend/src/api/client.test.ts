import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ensureCsrfCookie, messageOf } from "./client";
import { ApiError } from "./errors";

function clearCookies(): void {
  for (const part of document.cookie.split(";")) {
    const name = part.split("=")[0]?.trim();
    if (name) document.cookie = `${name}=; expires=Thu, 01 Jan 1970 00:00:00 GMT; path=/`;
  }
}

let fetchMock: ReturnType<typeof vi.fn>;
beforeEach(() => {
  clearCookies();
  fetchMock = vi.fn(async () => new Response("{}", { status: 200 }));
  vi.stubGlobal("fetch", fetchMock);
});
afterEach(() => vi.unstubAllGlobals());

describe("ensureCsrfCookie", () => {
  it("asks the server for a CSRF cookie, same-origin, when there is none", async () => {
    await ensureCsrfCookie();
    expect(fetchMock).toHaveBeenCalledWith("/api/auth/csrf/", expect.objectContaining({ credentials: "same-origin" }));
  });

  it("asks nothing while the cookie is there", async () => {
    document.cookie = "csrftoken=t; path=/";
    await ensureCsrfCookie();
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it("reports an unreachable server as a network error", async () => {
    fetchMock.mockRejectedValue(new TypeError("Failed to fetch"));
    await expect(ensureCsrfCookie()).rejects.toMatchObject({ status: 0, code: "network" });
  });
});

describe("messageOf", () => {
  it("shows an ApiError's message as it is, and a general one for anything else", () => {
    expect(messageOf(new ApiError(400, "invalid", "Enter a valid username and password."))).toBe(
      "Enter a valid username and password.",
    );
    expect(messageOf(new TypeError("x is undefined"))).toBe("Something went wrong in the page. Reload and try again.");
  });
});
