/**
 * GET  /t/<slug>/assessments/<id>/evidence/<fileId>  — download (streamed from GridFS);
 *      `?inline=1` shows PDFs and images in the browser instead of saving them.
 * POST intent=delete (optional expectedVersion, redirectTo) — delete after the UI confirmed.
 * Both answer 404 for anything the member may not see, so ids of other enterprises do not leak.
 */
import {
  createReadableStreamFromReadable,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
} from "@remix-run/node";
import { z } from "zod";
import { clientIp, requireMember, requirePermission } from "~/auth.server";
import {
  contentDisposition,
  deleteEvidence,
  openEvidenceDownload,
  type DeleteEvidenceError,
} from "~/data/evidence.server";
import type { MessageKey } from "~/i18n";
import { EVIDENCE_MIME } from "~/lib/evidence";
import { msg } from "~/lib/validation";
import { notFound, requireTenant } from "~/tenant.server";
import { safeRedirectTarget } from "~/lib/http/redirect-target";
import { readForm } from "~/lib/http/read-form.server";

const INLINE_TYPES = new Set([EVIDENCE_MIME.pdf, EVIDENCE_MIME.jpg, EVIDENCE_MIME.png]);

export async function loader({ request, params }: LoaderFunctionArgs) {
  const tenant = await requireTenant(params);
  const member = await requireMember(request, tenant);
  requirePermission(
    member,
    "read:assessment:own",
    "read:assessment:any",
    "read:assessment:assigned",
  );
  const download = await openEvidenceDownload({
    tenantId: tenant._id,
    assessmentId: params.id ?? "",
    fileId: params.fileId ?? "",
    actor: member,
  });
  if (!download) throw notFound();
  const { ref } = download;
  const inline =
    new URL(request.url).searchParams.get("inline") === "1" && INLINE_TYPES.has(ref.contentType);
  const headers = new Headers({
    "Content-Type": ref.contentType,
    "Content-Length": String(download.length),
    "Content-Disposition": contentDisposition(ref.filename, inline ? "inline" : "attachment"),
    "X-Content-Type-Options": "nosniff",
    // Evidence is private: no shared caches, and nothing in it may run as part of our origin.
    "Cache-Control": "private, no-store",
    "Content-Security-Policy":
      "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
    "Cross-Origin-Resource-Policy": "same-origin",
  });
  if (download.sha256) headers.set("ETag", `"${download.sha256}"`);
  return new Response(createReadableStreamFromReadable(download.stream), { status: 200, headers });
}

const deleteSchema = z.object({
  intent: z.literal("delete"),
  expectedVersion: z.coerce.number().int().min(0).optional(),
  redirectTo: z.string().optional(),
});

const DELETE_ERRORS: Record<DeleteEvidenceError, { status: number; key: MessageKey }> = {
  notFound: { status: 404, key: "errors.notFound" },
  forbidden: { status: 403, key: "errors.forbidden" },
  locked: { status: 409, key: "evidence.errors.locked" },
  conflict: { status: 409, key: "errors.conflict" },
};

export async function action({ request, params }: ActionFunctionArgs) {
  const tenant = await requireTenant(params);
  const member = await requireMember(request, tenant);
  requirePermission(member, "update:assessment:own");
  const parsed = deleteSchema.safeParse(Object.fromEntries(await readForm(request)));
  if (!parsed.success)
    return Response.json({ ok: false, errors: { file: msg("errors.generic") } }, { status: 400 });
  const result = await deleteEvidence({
    tenantId: tenant._id,
    assessmentId: params.id ?? "",
    fileId: params.fileId ?? "",
    actor: member,
    expectedVersion: parsed.data.expectedVersion,
    ip: clientIp(request),
  });
  if (!result.ok) {
    const { status, key } = DELETE_ERRORS[result.error];
    return Response.json({ ok: false, errors: { file: msg(key) } }, { status });
  }
  // A plain HTML form (no JavaScript) goes back to the page it came from.
  if (parsed.data.redirectTo)
    throw redirect(safeRedirectTarget(parsed.data.redirectTo, `/t/${tenant.slug}`));
  return Response.json(
    { ok: true, version: result.version },
    { headers: { "Cache-Control": "no-store" } },
  );
}
