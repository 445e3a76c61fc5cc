import { useEffect, useRef } from "react";
import { useLocation } from "react-router";

/** Navigation state of a redirect (to the login page, "/" to home): no page was shown, so focus stays. */
export const REDIRECT = { redirect: true } as const;

/**
 * After an in-app navigation, focus moves to #main (tabindex -1), as a full page load would, for
 * keyboard and screen-reader users. The first load and redirects leave the browser's focus alone.
 */
export function useFocusOnNavigate(): void {
  const location = useLocation();
  const first = useRef(true);
  useEffect(() => {
    const redirected = (location.state as { redirect?: boolean } | null)?.redirect;
    if (first.current || redirected) {
      first.current = false;
      return;
    }
    document.getElementById("main")?.focus();
  }, [location]);
}

export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · FUSQA`;
  }, [title]);
}
