/**
 * GET /t/<slug>/certificates/<id>.pdf — the certificate PDF, streamed as pdfkit produces it.
 * Same visibility as the certificate page: the enterprise's own, or any for the regulator (404 otherwise).
 */
import { createReadableStreamFromReadable, type LoaderFunctionArgs } from "@remix-run/node";
import {
  findVisibleCertificate,
  loadCertificateSeal,
  verificationUrl,
} from "~/data/certificates.server";
import { contentDisposition } from "~/data/evidence.server";
import {
  certificateFilename,
  certificatePdfData,
  renderCertificateStream,
} from "~/pdf/certificate.server";
import { notFound, requireTenantPermission } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(
    request,
    params,
    "read:certificate:own",
    "read:certificate:any",
  );
  const cert = await findVisibleCertificate({
    tenantId: tenant._id,
    id: params.id ?? "",
    viewer: member,
  });
  if (!cert) throw notFound();
  const data = certificatePdfData(cert, {
    verifyUrl: verificationUrl(cert.verifyCode),
    seal: await loadCertificateSeal({ tenantId: tenant._id }),
  });
  const doc = await renderCertificateStream(data);
  return new Response(createReadableStreamFromReadable(doc), {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": contentDisposition(certificateFilename(data), "inline"),
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "private, no-store",
    },
  });
}
