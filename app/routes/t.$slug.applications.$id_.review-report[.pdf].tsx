/**
 * GET /t/<slug>/applications/<id>/review-report.pdf — the review report (评审报告), streamed as
 * pdfkit produces it. Readable by whoever may read the review results (403 before the report, or
 * for the enterprise before the decision or when the tenant hides them; 404 for the rest).
 */
import { createReadableStreamFromReadable, type LoaderFunctionArgs } from "@remix-run/node";
import { forbidden } from "~/auth.server";
import { loadReviewReportData } from "~/data/grading/review-report.server";
import { contentDisposition } from "~/data/evidence.server";
import { getLocale } from "~/locale.server";
import { loadCjkFonts } from "~/pdf/fonts.server";
import { renderReviewReport, reviewReportFilename } from "~/pdf/review-report.server";
import { notFound, requireTenantPermission } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "read:assessment:own", "read:assessment:any", "read:assessment:assigned");
  const [loaded, fonts] = await Promise.all([
    loadReviewReportData({ tenantId: tenant._id, id: params.id ?? "", member, locale: await getLocale(request) }),
    loadCjkFonts(),
  ]);
  if (!loaded.ok) {
    if (loaded.access === "notFound") throw notFound();
    throw forbidden();
  }
  const doc = renderReviewReport(loaded.data, fonts);
  return new Response(createReadableStreamFromReadable(doc), {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": contentDisposition(reviewReportFilename(loaded.data), "inline"),
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "private, no-store",
    },
  });
}
