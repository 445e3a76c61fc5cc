/** The frame around every page behind the login: brand, navigation, who is logged in, logout. */
import { ROLE_LABELS, type Me } from "../auth/session";
import { h } from "../ui/dom";
import type { AppRoute } from "./page";

export interface Shell {
  element: HTMLElement;
  /** Puts `page` in the main region and marks `activePath` in the navigation. */
  show(page: HTMLElement, activePath: string | null): void;
}

export function createShell(me: Me, routes: AppRoute[], onLogout: () => void): Shell {
  const links = routes
    .filter((route) => route.nav && (!route.allowed || route.allowed(me)))
    .map((route) => h("a", { class: "nav-link", href: route.path }, route.nav!));

  const logout = h("button", { type: "button", class: "button button-quiet" }, "Log out");
  logout.addEventListener("click", () => {
    logout.disabled = true;
    onLogout();
  });

  const main = h("main", { id: "main", class: "page", tabindex: "-1" });
  const nav = h("nav", { "aria-label": "Main" }, h("ul", { class: "nav-list" }, links.map((link) => h("li", {}, link))));
  const user = h(
    "div",
    { class: "user" },
    h("span", { class: "user-name" }, me.username),
    h("span", { class: "badge" }, ROLE_LABELS[me.role] ?? me.role),
    logout,
  );
  const brand = h("a", { class: "brand", href: "/hospitals", "aria-label": "FUSQA home" }, "FUSQA");
  const element = h(
    "div",
    { class: "shell" },
    h("header", { class: "topbar" }, h("div", { class: "topbar-inner" }, brand, nav, user)),
    main,
  );

  return {
    element,
    show(page, activePath) {
      for (const link of links) {
        if (link.getAttribute("href") === activePath) link.setAttribute("aria-current", "page");
        else link.removeAttribute("aria-current");
      }
      main.replaceChildren(page);
    },
  };
}
