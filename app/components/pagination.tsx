import { Link, useLocation } from "@remix-run/react";
import { useT } from "~/i18n/react";

export function Pagination({ page, pageSize, total }: { page: number; pageSize: number; total: number }) {
  const t = useT();
  const location = useLocation();
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const hrefFor = (p: number) => {
    const params = new URLSearchParams(location.search);
    params.set("page", String(p));
    return `${location.pathname}?${params.toString()}`;
  };
  return (
    <nav className="mt-4 flex items-center justify-between text-sm text-slate-600" aria-label="pagination">
      <span>{t("common.page", { page, pages, total })}</span>
      <span className="flex gap-2">
        {page > 1 ? (
          <Link className="btn-secondary py-1" to={hrefFor(page - 1)}>
            {t("common.previous")}
          </Link>
        ) : null}
        {page < pages ? (
          <Link className="btn-secondary py-1" to={hrefFor(page + 1)}>
            {t("common.next")}
          </Link>
        ) : null}
      </span>
    </nav>
  );
}
