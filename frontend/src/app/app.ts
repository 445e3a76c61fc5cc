/**
 * Starts the app: asks the server who is logged in, then routes. Pages behind the login get the
 * shell; anyone without a session is sent to /login?next=… and brought back after logging in.
 */
import { messageOf, SESSION_ENDED_EVENT } from "../api/client";
import { loginPage } from "../auth/login-page";
import { fetchMe, logout, type Me } from "../auth/session";
import { alertBox } from "../ui/alert";
import { h, replaceChildren } from "../ui/dom";
import type { AppRoute } from "./page";
import { Router, type Match } from "./router";
import { HOME_PATH, routes } from "./routes";
import { createShell, type Shell } from "./shell";

const LOGIN_PATH = "/login";

/** The login page and "/" are handled here; the rest of the table is in routes.ts. */
type Entry = AppRoute | { path: typeof LOGIN_PATH } | { path: "/" };

export async function startApp(root: HTMLElement): Promise<void> {
  let me: Me | null = null;
  let shell: Shell | null = null;
  let pageController = new AbortController();
  let notice: string | undefined;
  let firstRender = true;

  const router = new Router<Entry>({
    routes: [{ path: LOGIN_PATH }, { path: "/" }, ...routes],
    onChange: (match, pathname) => render(match, pathname),
  });

  function render(match: Match<Entry> | null, pathname: string): void {
    pageController.abort();
    pageController = new AbortController();

    if (match?.route.path === LOGIN_PATH) {
      if (me) return router.navigate(safeNext(match.query.get("next")), { replace: true });
      shell = null;
      setTitle("Log in");
      replaceChildren(root, loginPage({ onLoggedIn: loggedIn, notice }));
      notice = undefined;
      return focusMain();
    }
    if (!me) {
      const next = pathname + window.location.search;
      const to = next === "/" ? LOGIN_PATH : `${LOGIN_PATH}?next=${encodeURIComponent(next)}`;
      return router.navigate(to, { replace: true });
    }
    if (match?.route.path === "/") return router.navigate(HOME_PATH, { replace: true });

    if (!shell) {
      shell = createShell(me, routes, endSession);
      replaceChildren(root, shell.element);
    }
    const route = match && "render" in match.route ? match.route : null;
    if (!route) {
      setTitle("Not found");
      shell.show(notFound(), null);
    } else if (route.allowed && !route.allowed(me)) {
      setTitle(route.title);
      shell.show(notAllowed(route.title), route.path);
    } else {
      setTitle(route.title);
      const page = route.render({
        me,
        params: match!.params,
        query: match!.query,
        signal: pageController.signal,
        navigate: (to, options) => router.navigate(to, options),
      });
      shell.show(page, route.nav ? route.path : null);
    }
    focusMain();
  }

  function loggedIn(user: Me): void {
    me = user;
    const next = new URLSearchParams(window.location.search).get("next");
    router.navigate(safeNext(next), { replace: true });
  }

  async function endSession(): Promise<void> {
    try {
      await logout();
    } catch {
      // Already logged out on the server, or unreachable: either way, leave the session here.
    }
    forget();
  }

  function forget(message?: string): void {
    me = null;
    shell = null;
    notice = message;
    router.navigate(LOGIN_PATH);
  }

  function focusMain(): void {
    // Keep the browser's own focus on first load; after that, move it to the new page for
    // keyboard and screen-reader users, as a full page load would.
    if (firstRender) {
      firstRender = false;
      return;
    }
    root.querySelector<HTMLElement>("#main")?.focus();
  }

  window.addEventListener(SESSION_ENDED_EVENT, () => {
    if (me) forget("Your session has ended. Log in again to continue.");
  });

  try {
    me = await fetchMe();
  } catch (error) {
    root.removeAttribute("aria-busy");
    replaceChildren(
      root,
      h("main", { id: "main", class: "login-screen" }, alertBox("error", messageOf(error), "FUSQA could not start")),
    );
    return;
  }
  root.removeAttribute("aria-busy");
  router.start();
}

/** Only an in-app path may follow login: never another site ("//evil.example") or the API. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith(LOGIN_PATH)) return HOME_PATH;
  if (/^\/(api|admin|static|media)\//.test(next)) return HOME_PATH;
  return next;
}

function setTitle(title: string): void {
  document.title = `${title} · FUSQA`;
}

function notFound(): HTMLElement {
  return h(
    "section",
    { class: "stack" },
    h("h1", {}, "Page not found"),
    h("p", {}, "There is no page at this address. ", h("a", { href: HOME_PATH }, "Go to your hospitals"), "."),
  );
}

function notAllowed(title: string): HTMLElement {
  return h(
    "section",
    { class: "stack" },
    h("h1", {}, title),
    alertBox("info", "Your role does not include this page. Ask a FUSQA administrator if you need it."),
  );
}
