import { isRouteErrorResponse, Link, useRouteError } from "@remix-run/react";
import { useT } from "~/i18n/react";

/** One boundary for every route: 404/403 in words, never a stack trace. */
export function GeneralErrorBoundary() {
  const error = useRouteError();
  const t = useT();
  const status = isRouteErrorResponse(error) ? error.status : 500;
  const [title, body] =
    status === 404
      ? [t("notFound.title"), t("notFound.body")]
      : status === 403
        ? [t("forbidden.title"), t("forbidden.body")]
        : status === 410
          ? [t("tenantInactive.title"), t("tenantInactive.body")]
          : [t("error.title"), t("error.body")];
  // Refusals of the request guard and form reader carry a translated message (app/lib/http/read-form.server.ts).
  const data: unknown = isRouteErrorResponse(error) ? error.data : null;
  const refusal = typeof data === "object" && data !== null && "error" in data && typeof data.error === "string" ? data.error : null;
  return (
    <div className="mx-auto max-w-xl py-16 text-center" data-status={status}>
      <p className="text-5xl font-bold text-slate-300">{status}</p>
      <h1 className="mt-4 text-2xl font-semibold text-slate-900">{title}</h1>
      <p className="mt-2 text-slate-600">{refusal ?? body}</p>
      <Link to="/" className="btn-secondary mt-6">
        {t("error.home")}
      </Link>
    </div>
  );
}
