import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { clientIp, getMember, logout } from "~/auth.server";
import { recordAudit } from "~/data/audit.server";
import { requireTenant } from "~/tenant.server";
import { readForm } from "~/lib/http/read-form.server";

export async function action({ request, params }: ActionFunctionArgs) {
  const tenant = await requireTenant(params);
  // A form post like every other write: anything else (JSON, text/plain) is refused before the logout.
  await readForm(request);
  const member = await getMember(request, tenant);
  const setCookie = await logout(request);
  if (member) {
    await recordAudit({
      tenantId: tenant._id,
      action: "logout",
      ip: clientIp(request),
      actor: { id: member.user._id, email: member.user.email },
      target: { type: "user", id: member.user.id, label: member.user.email },
    });
  }
  return redirect(`/t/${tenant.slug}`, { headers: { "Set-Cookie": setCookie } });
}

export async function loader({ params }: { params: { slug?: string } }) {
  return redirect(`/t/${params.slug ?? ""}`);
}
