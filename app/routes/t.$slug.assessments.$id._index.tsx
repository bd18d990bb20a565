import { redirect, type LoaderFunctionArgs } from "@remix-run/node";
import { findAssessmentOutline } from "~/data/assessments.server";
import { notFound, requireTenantPermission } from "~/tenant.server";

/** The wizard opens on its first element. */
export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "read:assessment:own", "read:assessment:any");
  const outline = await findAssessmentOutline({ tenantId: tenant._id, id: params.id ?? "", viewer: member });
  const first = outline?.elementIds[0];
  if (!first) throw notFound();
  return redirect(`/t/${tenant.slug}/assessments/${params.id ?? ""}/${first}`);
}
