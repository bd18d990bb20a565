import { Link, useLocation } from "@remix-run/react";
import { useT } from "~/i18n/react";

/**
 * Previous / next links for a paged list. `total` null = not counted (a log too large to count on
 * every request, decision 034): the page says its number only and `hasMore` decides the next link.
 */
export function Pagination({
  page,
  pageSize,
  total,
  hasMore = false,
}: {
  page: number;
  pageSize: number;
  total: number | null;
  hasMore?: boolean;
}) {
  const t = useT();
  const location = useLocation();
  const pages = total === null ? null : Math.max(1, Math.ceil(total / pageSize));
  const hrefFor = (p: number) => {
    const params = new URLSearchParams(location.search);
    params.set("page", String(p));
    return `${location.pathname}?${params.toString()}`;
  };
  return (
    <nav className="mt-4 flex items-center justify-between text-sm text-slate-600" aria-label="pagination">
      <span>{pages === null ? t("common.pageOpen", { page }) : t("common.page", { page, pages, total: total ?? 0 })}</span>
      <span className="flex gap-2">
        {page > 1 ? (
          <Link className="btn-secondary py-1" to={hrefFor(page - 1)}>
            {t("common.previous")}
          </Link>
        ) : null}
        {(pages === null ? hasMore : page < pages) ? (
          <Link className="btn-secondary py-1" to={hrefFor(page + 1)}>
            {t("common.next")}
          </Link>
        ) : null}
      </span>
    </nav>
  );
}
