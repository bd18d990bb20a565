/**
 * GET /t/<slug>/applications/<id>/rectification/<fileId> — an evidence file of a rectification item,
 * for those who may see the application (the enterprise, its reviewers, the authority). 404 else.
 */
import { createReadableStreamFromReadable, type LoaderFunctionArgs } from "@remix-run/node";
import { contentDisposition, openStoredFile } from "~/data/evidence.server";
import { findRectificationFile } from "~/data/grading.server";
import { notFound, requireTenantPermission } from "~/tenant.server";

const VIEWERS = ["read:assessment:own", "read:assessment:any", "read:assessment:assigned"] as const;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, ...VIEWERS);
  const ref = await findRectificationFile({
    tenantId: tenant._id,
    applicationId: params.id ?? "",
    fileId: params.fileId ?? "",
    member,
  });
  if (!ref) throw notFound();
  const file = await openStoredFile({ tenantId: tenant._id, fileId: ref.fileId });
  if (!file) throw notFound();
  const headers = new Headers({
    "Content-Type": ref.contentType,
    "Content-Length": String(file.length),
    "Content-Disposition": contentDisposition(ref.name),
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-store",
    "Content-Security-Policy": "default-src 'none'; sandbox",
  });
  if (file.sha256) headers.set("ETag", `"${file.sha256}"`);
  return new Response(createReadableStreamFromReadable(file.stream), { status: 200, headers });
}
