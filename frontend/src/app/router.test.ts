import { afterEach, beforeEach, describe, expect, it, vi, type Mock } from "vitest";
import { matchPath, Router, type Match } from "./router";

describe("matchPath", () => {
  it("matches a fixed path, ignoring a trailing slash", () => {
    expect(matchPath("/hospitals", "/hospitals")).toEqual({});
    expect(matchPath("/hospitals", "/hospitals/")).toEqual({});
  });

  it("takes parameters out of the path", () => {
    expect(matchPath("/studies/:id", "/studies/42")).toEqual({ id: "42" });
    expect(matchPath("/frames/:id/review", "/frames/7/review")).toEqual({ id: "7" });
  });

  it("refuses paths of another shape", () => {
    expect(matchPath("/studies/:id", "/studies")).toBeNull();
    expect(matchPath("/studies/:id", "/studies/1/extra")).toBeNull();
    expect(matchPath("/upload", "/hospitals")).toBeNull();
  });
});

describe("Router", () => {
  const routes = [{ path: "/" }, { path: "/hospitals" }, { path: "/studies/:id" }];
  let onChange: Mock<(match: Match<{ path: string }> | null, pathname: string) => void>;
  let router: Router<{ path: string }>;

  beforeEach(() => {
    window.history.replaceState(null, "", "/");
    onChange = vi.fn<(match: Match<{ path: string }> | null, pathname: string) => void>();
    router = new Router({ routes, onChange });
    router.start();
    onChange.mockClear();
  });

  afterEach(() => {
    router.stop();
    document.body.replaceChildren();
  });

  const lastMatch = () => onChange.mock.lastCall?.[0];

  it("routes the current location when started", () => {
    window.history.replaceState(null, "", "/studies/9");
    const other = vi.fn();
    const started = new Router({ routes, onChange: other });
    started.start();
    expect(other.mock.lastCall?.[0]).toMatchObject({ route: { path: "/studies/:id" }, params: { id: "9" } });
    started.stop();
  });

  it("navigates with pushState and routes the new path", () => {
    const before = window.history.length;
    router.navigate("/studies/12?tab=masks");

    expect(window.location.pathname).toBe("/studies/12");
    expect(window.history.length).toBe(before + 1);
    expect(lastMatch()).toMatchObject({ route: { path: "/studies/:id" }, params: { id: "12" } });
    expect(lastMatch()?.query.get("tab")).toBe("masks");
  });

  it("replaces the history entry when asked", () => {
    const before = window.history.length;
    router.navigate("/hospitals", { replace: true });

    expect(window.location.pathname).toBe("/hospitals");
    expect(window.history.length).toBe(before);
  });

  it("answers null for a path no route knows", () => {
    router.navigate("/nowhere");
    expect(onChange).toHaveBeenLastCalledWith(null, "/nowhere");
  });

  it("routes again when the browser goes back", () => {
    router.navigate("/hospitals");
    window.history.replaceState(null, "", "/studies/3");
    window.dispatchEvent(new PopStateEvent("popstate"));
    expect(lastMatch()).toMatchObject({ params: { id: "3" } });
  });

  it("takes over a plain click on an in-app link", () => {
    const link = document.createElement("a");
    link.href = "/hospitals";
    document.body.append(link);

    const event = new MouseEvent("click", { bubbles: true, cancelable: true, button: 0 });
    link.dispatchEvent(event);

    expect(event.defaultPrevented).toBe(true);
    expect(window.location.pathname).toBe("/hospitals");
    expect(lastMatch()).toMatchObject({ route: { path: "/hospitals" } });
  });

  it("leaves API links, other sites, new-tab clicks and in-page anchors to the browser", () => {
    const hrefs = ["/api/frames/1/image/", "https://example.org/", "#main"];
    for (const href of hrefs) {
      const link = document.createElement("a");
      link.setAttribute("href", href);
      document.body.append(link);
      const event = new MouseEvent("click", { bubbles: true, cancelable: true, button: 0 });
      link.dispatchEvent(event);
      expect(event.defaultPrevented, href).toBe(false);
    }
    const link = document.createElement("a");
    link.href = "/hospitals";
    document.body.append(link);
    const ctrlClick = new MouseEvent("click", { bubbles: true, cancelable: true, button: 0, ctrlKey: true });
    link.dispatchEvent(ctrlClick);
    expect(ctrlClick.defaultPrevented).toBe(false);
    expect(onChange).not.toHaveBeenCalled();
  });
});
