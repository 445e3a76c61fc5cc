import type { Me } from "../auth/session";
import type { Params } from "./router";

/** What a page gets when it is opened. */
export interface PageContext {
  me: Me;
  params: Params;
  query: URLSearchParams;
  /** Aborted when the person leaves the page: pass it to requests so late answers are dropped. */
  signal: AbortSignal;
  navigate: (to: string, options?: { replace?: boolean }) => void;
}

export interface AppRoute {
  /** "/hospitals", or with parameters: "/studies/:id". */
  path: string;
  title: string;
  /** Label in the navigation bar; pages without one (details) are reached through links. */
  nav?: string;
  /** Who may open it; every logged-in user where absent. */
  allowed?: (me: Me) => boolean;
  render: (context: PageContext) => HTMLElement;
}
