/** The platform administrator's home (`/`): each tenant's administrative to-dos, one section per tenant. */
import type { SessionUser } from "~/auth.server";
import { permissionsFor } from "~/lib/permissions";
import type { TodoItem } from "~/lib/todo";
import { listTenants } from "../tenants.server";
import { collectTodos } from "./index.server";
import { PEOPLE_TODO_SOURCES } from "./people.server";

export type TenantTodos = { slug: string; name: { zh: string; en: string }; items: TodoItem[] };

export async function platformTodos({
  user,
  now = new Date(),
}: {
  user: SessionUser;
  now?: Date;
}): Promise<TenantTodos[]> {
  const tenants = await listTenants();
  const out: TenantTodos[] = [];
  for (const tenant of tenants.slice(0, 50)) {
    const member = {
      user,
      tenantId: tenant._id,
      roles: [],
      enterpriseId: null,
      permissions: permissionsFor([], true),
      districtCodes: [],
    };
    const items = await collectTodos(
      { tenant, member, now, base: `/t/${tenant.slug}` },
      PEOPLE_TODO_SOURCES,
    );
    out.push({ slug: tenant.slug, name: tenant.name, items });
  }
  return out;
}
