/**
 * GET /verify/<code>.pdf — the certificate PDF for whoever holds the verification code (the QR
 * code's page links it). Rate limited per IP like the other public verification endpoints. Only a
 * valid certificate is handed out: a suspended, revoked or expired one answers 410 with its status,
 * so no clean copy of a certificate that no longer counts circulates from here.
 */
import { createReadableStreamFromReadable, type LoaderFunctionArgs } from "@remix-run/node";
import { clientIp } from "~/auth.server";
import {
  findCertificateByCode,
  hitVerifyRateLimit,
  loadCertificateSeal,
  verificationUrl,
} from "~/data/certificates.server";
import { contentDisposition } from "~/data/evidence.server";
import { translate } from "~/i18n";
import { getLocale } from "~/locale.server";
import { effectiveStatus } from "~/lib/certificate";
import {
  certificateFilename,
  certificatePdfData,
  renderCertificateStream,
} from "~/pdf/certificate.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const locale = await getLocale(request);
  const limit = await hitVerifyRateLimit(clientIp(request));
  if (limit.limited) {
    throw new Response(
      translate(locale, "verify.rateLimited", {
        minutes: Math.max(1, Math.ceil(limit.retryAfterSeconds / 60)),
      }),
      {
        status: 429,
        headers: {
          "Retry-After": String(limit.retryAfterSeconds),
          "Content-Type": "text/plain; charset=utf-8",
        },
      },
    );
  }
  const cert = await findCertificateByCode({ code: params.code ?? "" });
  if (!cert) {
    throw new Response(translate(locale, "verify.notFound.title"), {
      status: 404,
      headers: { "Content-Type": "text/plain; charset=utf-8" },
    });
  }
  const status = effectiveStatus(cert, new Date());
  if (status !== "active") {
    throw new Response(
      translate(locale, "revocation.public.pdfRefused", {
        status: translate(locale, `certificate.status.${status}`),
      }),
      { status: 410, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } },
    );
  }
  const data = certificatePdfData(cert, {
    verifyUrl: verificationUrl(cert.verifyCode),
    seal: await loadCertificateSeal({ tenantId: cert.tenantId }),
  });
  const doc = await renderCertificateStream(data);
  return new Response(createReadableStreamFromReadable(doc), {
    headers: {
      "Content-Type": "application/pdf",
      "Content-Disposition": contentDisposition(certificateFilename(data), "inline"),
      "X-Content-Type-Options": "nosniff",
      "Cache-Control": "no-store",
    },
  });
}
