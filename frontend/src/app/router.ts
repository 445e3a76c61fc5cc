/**
 * History-API router: routes by location.pathname, navigates with pushState, and takes over
 * clicks on same-origin links so the page never reloads. Patterns may hold parameters
 * ("/studies/:id"), so later pages only add a line to the route table.
 */
export type Params = Record<string, string>;

export interface Match<R> {
  route: R;
  params: Params;
  path: string;
  query: URLSearchParams;
}

export interface RouterOptions<R extends { path: string }> {
  routes: R[];
  /** Called for every location change, with null where no route matches. */
  onChange: (match: Match<R> | null, pathname: string) => void;
  window?: Window;
}

/** Paths the server owns: a link there is a real page load, not a client route. */
const SERVER_PREFIXES = ["/api/", "/admin/", "/static/", "/media/"];

export function matchPath(pattern: string, pathname: string): Params | null {
  const want = split(pattern);
  const have = split(pathname);
  if (want.length !== have.length) return null;
  const params: Params = {};
  for (let i = 0; i < want.length; i++) {
    const segment = want[i]!;
    if (segment.startsWith(":")) {
      params[segment.slice(1)] = decodeURIComponent(have[i]!);
    } else if (segment !== have[i]) {
      return null;
    }
  }
  return params;
}

function split(path: string): string[] {
  return path.split("/").filter(Boolean);
}

export class Router<R extends { path: string }> {
  private readonly routes: R[];
  private readonly onChange: RouterOptions<R>["onChange"];
  private readonly win: Window;
  private started = false;

  constructor(options: RouterOptions<R>) {
    this.routes = options.routes;
    this.onChange = options.onChange;
    this.win = options.window ?? window;
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.win.addEventListener("popstate", this.resolve);
    this.win.document.addEventListener("click", this.handleClick);
    this.resolve();
  }

  stop(): void {
    this.started = false;
    this.win.removeEventListener("popstate", this.resolve);
    this.win.document.removeEventListener("click", this.handleClick);
  }

  match(pathname: string): Match<R> | null {
    const [path = "/", search = ""] = pathname.split("?");
    for (const route of this.routes) {
      const params = matchPath(route.path, path);
      if (params) return { route, params, path, query: new URLSearchParams(search) };
    }
    return null;
  }

  /** Go to `to` (a path, optionally with a query). `replace` leaves no entry in the history. */
  navigate(to: string, { replace = false }: { replace?: boolean } = {}): void {
    const current = this.win.location.pathname + this.win.location.search;
    if (replace) this.win.history.replaceState(null, "", to);
    else if (to !== current) this.win.history.pushState(null, "", to);
    this.resolve();
  }

  private readonly resolve = (): void => {
    const { pathname, search } = this.win.location;
    this.onChange(this.match(pathname + search), pathname);
  };

  private readonly handleClick = (event: MouseEvent): void => {
    if (event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    const anchor = (event.target as Element | null)?.closest?.("a");
    if (!anchor || anchor.target || anchor.hasAttribute("download")) return;
    const href = anchor.getAttribute("href");
    if (!href || href.startsWith("#")) return;
    const url = new URL(anchor.href, this.win.location.href);
    if (url.origin !== this.win.location.origin) return;
    if (SERVER_PREFIXES.some((prefix) => url.pathname.startsWith(prefix))) return;
    event.preventDefault();
    this.navigate(url.pathname + url.search);
  };
}
