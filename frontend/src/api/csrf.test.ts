import { describe, expect, it } from "vitest";
import { isUnsafeMethod, readCookie } from "./csrf";

describe("readCookie", () => {
  it("finds one cookie among several", () => {
    expect(readCookie("csrftoken", "sessionid=abc; csrftoken=tok%3D1; theme=light")).toBe("tok=1");
  });

  it("answers null when the cookie is absent, even where a name only starts the same", () => {
    expect(readCookie("csrftoken", "csrftoken_old=x; other=y")).toBeNull();
  });
});

describe("isUnsafeMethod", () => {
  it("treats POST, PUT, PATCH, DELETE as unsafe and GET, HEAD as safe", () => {
    expect(["POST", "PUT", "PATCH", "delete"].map(isUnsafeMethod)).toEqual([true, true, true, true]);
    expect(["GET", "HEAD", "OPTIONS"].map(isUnsafeMethod)).toEqual([false, false, false]);
  });
});
