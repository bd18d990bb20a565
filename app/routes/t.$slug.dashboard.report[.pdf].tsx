/**
 * GET /t/<slug>/dashboard/report.pdf?month=YYYY-MM[&district&industry&size] — the printable
 * monthly report (regulator and tenant admin), streamed as pdfkit produces it.
 */
import { createReadableStreamFromReadable, type LoaderFunctionArgs } from "@remix-run/node";
import { getDashboard } from "~/data/dashboard.server";
import { contentDisposition } from "~/data/evidence.server";
import { translate } from "~/i18n";
import { getLocale } from "~/locale.server";
import { renderMonthlyReport } from "~/pdf/dashboard-report.server";
import { loadCjkFonts } from "~/pdf/fonts.server";
import { requireTenantPermission, tenantName } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "read:dashboard:any");
  const locale = await getLocale(request);
  const url = new URL(request.url);
  const m = /^(20\d{2})-(0[1-9]|1[0-2])$/.exec(url.searchParams.get("month") ?? "");
  if (!m) throw new Response("month must be YYYY-MM", { status: 400 });
  const search = new URLSearchParams(url.searchParams);
  search.set("year", m[1] ?? "");
  const now = new Date();
  const [figures, fonts] = await Promise.all([getDashboard({ tenant, search, now, scope: member }), loadCjkFonts()]);
  const doc = renderMonthlyReport(
    { figures, month: Number(m[2]), tenantName: tenantName(tenant, locale), locale, generatedAt: now },
    fonts,
  );
  const filename = `${translate(locale, "dashboard.fileName")}-${m[0]}.pdf`;
  return new Response(createReadableStreamFromReadable(doc), {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": contentDisposition(filename, "inline"),
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "private, no-store",
    },
  });
}
