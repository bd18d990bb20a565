/**
 * GET /api/public/certificates/<code> — machine-readable verification: the state in words
 * (VALID / EXPIRED / SUSPENDED / REVOKED, never just "invalid"), the minimum public data, and for a
 * suspended or revoked certificate the date and the public reason. Unknown code → 404; too many
 * requests from one IP → 429. Messages follow the language cookie (Chinese by default).
 */
import type { LoaderFunctionArgs } from "@remix-run/node";
import { jsonWithEtag } from "~/lib/http/etag.server";
import { clientIp } from "~/auth.server";
import { hitVerifyRateLimit, verificationUrl, verifyCertificate } from "~/data/certificates.server";
import { translate } from "~/i18n";
import { getLocale } from "~/locale.server";
import { groundBasis, groundText } from "~/lib/revocation-grounds";

const HEADERS = {
  "Content-Type": "application/json; charset=utf-8",
  "Cache-Control": "no-store",
  // Public data, meant to be checked from anywhere.
  "Access-Control-Allow-Origin": "*",
  "X-Content-Type-Options": "nosniff",
} as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const locale = await getLocale(request);
  const limit = await hitVerifyRateLimit(clientIp(request));
  if (limit.limited) {
    const minutes = Math.max(1, Math.ceil(limit.retryAfterSeconds / 60));
    return Response.json(
      {
        error: "RATE_LIMITED",
        message: translate(locale, "verify.rateLimited", { minutes }),
        retryAfterSeconds: limit.retryAfterSeconds,
      },
      { status: 429, headers: { ...HEADERS, "Retry-After": String(limit.retryAfterSeconds) } },
    );
  }
  const code = params.code ?? "";
  const found = await verifyCertificate({ code });
  if (!found) {
    return Response.json(
      {
        error: "NOT_FOUND",
        state: "NOT_FOUND",
        message: translate(locale, "verify.notFound.body"),
      },
      { status: 404, headers: HEADERS },
    );
  }
  return jsonWithEtag(
    request,
    {
      state: found.state,
      stateText: translate(locale, `verify.state.${found.state}`),
      number: found.number,
      level: { key: found.level, name: found.levelName },
      enterprise: found.enterprise,
      industry: { key: found.industry, name: translate(locale, `industry.${found.industry}`) },
      issuer: found.issuer,
      issuedAt: found.issuedAt,
      validUntil: found.validUntil,
      suspendedAt: found.suspendedAt,
      revokedAt: found.revokedAt,
      reason: found.reason,
      grounds: found.grounds.map((key) => ({
        key,
        text: groundText(key, locale),
        basis: groundBasis(key, locale),
      })),
      // A certificate that is no longer valid has no clean file to hand out (see /verify/<code>.pdf).
      pdfUrl: found.state === "VALID" ? `${verificationUrl(code)}.pdf` : null,
      verifyUrl: verificationUrl(code),
    },
    HEADERS,
  );
}
