/**
 * GET /t/<slug>/credit/<id>/files/<fileId> — a defence or repair file of a credit record, for those
 * who may see the record (regulators; the enterprise for its own). 404 for anything else.
 */
import { createReadableStreamFromReadable, type LoaderFunctionArgs } from "@remix-run/node";
import { findVisibleCreditRecord } from "~/data/credit-records.server";
import { contentDisposition, openStoredFile } from "~/data/evidence.server";
import { toObjectId } from "~/data/ids.server";
import { notFound, requireTenantPermission } from "~/tenant.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "read:credit:own", "read:credit:any");
  const doc = await findVisibleCreditRecord({ tenantId: tenant._id, id: params.id ?? "", member });
  const fileId = toObjectId(params.fileId ?? "");
  if (!doc || !fileId) throw notFound();
  const ref = [...(doc.defence?.files ?? []), ...(doc.repair?.files ?? [])].find((f) => f.fileId.equals(fileId));
  if (!ref) throw notFound();
  const file = await openStoredFile({ tenantId: tenant._id, fileId });
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
