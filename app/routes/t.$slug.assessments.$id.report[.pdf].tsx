/**
 * GET /t/<slug>/assessments/<id>/report.pdf — the printable self-assessment report, streamed as
 * pdfkit produces it. Same visibility as the assessment itself (404 otherwise).
 */
import { createReadableStreamFromReadable, type LoaderFunctionArgs } from "@remix-run/node";
import { requireMember, requirePermission } from "~/auth.server";
import { contentDisposition } from "~/data/evidence.server";
import { getLocale } from "~/locale.server";
import { loadCjkFonts } from "~/pdf/fonts.server";
import {
  loadSelfAssessmentReport,
  renderSelfAssessmentReport,
  reportFilename,
} from "~/pdf/self-assessment-report.server";
import { notFound, requireTenant } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const tenant = await requireTenant(params);
  const member = await requireMember(request, tenant);
  requirePermission(
    member,
    "read:assessment:own",
    "read:assessment:any",
    "read:assessment:assigned",
  );
  const [data, fonts] = await Promise.all([
    loadSelfAssessmentReport({
      tenant,
      assessmentId: params.id ?? "",
      actor: member,
      locale: await getLocale(request),
    }),
    loadCjkFonts(),
  ]);
  if (!data) throw notFound();
  const doc = renderSelfAssessmentReport(data, fonts);
  return new Response(createReadableStreamFromReadable(doc), {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": contentDisposition(reportFilename(data), "inline"),
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "private, no-store",
    },
  });
}
