import { Link } from "react-router";
import type { Paginated } from "../api/typed";

/** "← Newer · 26–50 of 80 · Older →" for a DRF limit/offset list; nothing when it all fits one page. */
export function Pager({
  page,
  offset,
  size,
  href,
  label,
}: {
  page: Paginated<unknown>;
  offset: number;
  size: number;
  href: (offset: number) => string;
  label: string;
}) {
  if (!page.next && !page.previous) return null;
  const last = Math.min(page.count, offset + size);
  return (
    <nav className="pager" aria-label={label}>
      {page.previous ? (
        <Link className="button button-quiet" to={href(Math.max(0, offset - size))}>
          ← Newer
        </Link>
      ) : null}
      <span className="muted">{`${offset + 1}–${last} of ${page.count}`}</span>
      {page.next ? (
        <Link className="button button-quiet" to={href(offset + size)}>
          Older →
        </Link>
      ) : null}
    </nav>
  );
}
