import { zodResolver } from "@hookform/resolvers/zod";
import {
  data,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { useEffect } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { clientIp, forbidden, requirePermission, type Member } from "~/auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, Notice, SelectField, TextField } from "~/components/form";
import { Pagination } from "~/components/pagination";
import type { TenantId } from "~/data/ids.server";
import { toObjectId } from "~/data/ids.server";
import {
  createInvitation,
  listPendingInvitations,
  revokeInvitation,
} from "~/data/invitations.server";
import {
  changeMemberRole,
  enterpriseNamesById,
  enterprisesAdministeredBy,
  listEnterpriseChoices,
  listMembers,
  removeMembership,
} from "~/data/memberships.server";
import { translate, type MessageKey } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";
import { formatDate } from "~/lib/datetime";
import { ENTERPRISE_ROLES, isEnterpriseRole, ROLES, type Role } from "~/lib/domain";
import { can } from "~/lib/permissions";
import { fieldErrors, inviteSchema, msg } from "~/lib/validation";
import { getLocale } from "~/locale.server";
import { requireTenantPermission, tenantName } from "~/tenant.server";
import { pageParam } from "~/lib/paging";
import { readForm } from "~/lib/http/read-form.server";

const PAGE_SIZE = 50;

type Scope = { kind: "any" } | { kind: "own"; enterpriseIds: TenantId[] };

/** Tenant admins invite anyone; an enterprise admin only members/admins of the enterprises they administer. */
async function inviteScope(tenantId: TenantId, member: Member): Promise<Scope> {
  if (can(member.permissions, "invite:user:any")) return { kind: "any" };
  const enterpriseIds = await enterprisesAdministeredBy({ tenantId, userId: member.user._id });
  if (enterpriseIds.length === 0) throw forbidden();
  return { kind: "own", enterpriseIds };
}

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(
    request,
    params,
    "invite:user:any",
    "invite:user:own",
  );
  const page = pageParam(new URL(request.url).searchParams.get("page"));
  const scope = await inviteScope(tenant._id, member);
  const enterpriseIds = scope.kind === "own" ? scope.enterpriseIds : undefined;
  const [members, pending, enterprises] = await Promise.all([
    listMembers({
      tenantId: tenant._id,
      enterpriseIds,
      page,
      pageSize: PAGE_SIZE,
    }),
    listPendingInvitations({ tenantId: tenant._id, enterpriseIds }),
    scope.kind === "any"
      ? listEnterpriseChoices({ tenantId: tenant._id })
      : enterpriseNamesById({ tenantId: tenant._id, ids: scope.enterpriseIds }).then((names) =>
          [...names].map(([id, name]) => ({ _id: id, name })),
        ),
  ]);
  const locale = await getLocale(request);
  return {
    locale,
    title: `${translate(locale, "admin.users.title")} · ${tenantName(tenant, locale)}`,
    scope: scope.kind,
    canUpdate: can(member.permissions, "update:user:any"),
    slug: tenant.slug,
    currentUserId: member.user.id,
    roleOptions: scope.kind === "any" ? [...ROLES] : [...ENTERPRISE_ROLES],
    enterprises: enterprises.map((e) => ({ id: String(e._id), name: e.name })),
    members: {
      page,
      total: members.total,
      items: members.items.map((m) => ({
        membershipId: String(m.membershipId),
        userId: String(m.userId),
        email: m.email,
        name: m.name,
        role: m.role,
        enterpriseName: m.enterpriseName,
        createdAt: m.createdAt.toISOString(),
      })),
    },
    pending: {
      capped: pending.capped,
      items: pending.items.map((i) => ({
        id: String(i._id),
        email: i.email,
        role: i.role,
        enterpriseName: i.enterpriseName,
        expiresAt: i.expiresAt.toISOString(),
      })),
    },
  };
}

const revokeSchema = z.object({ invitationId: z.string().min(1) });
const changeRoleSchema = z.object({
  membershipId: z.string().min(1),
  role: z.enum(ROLES, { error: msg("errors.invalidChoice") }),
});
const removeSchema = z.object({ membershipId: z.string().min(1) });

type Intent = "invite" | "revoke" | "changeRole" | "remove";
type ActionResult = {
  intent: Intent | null;
  errors?: Record<string, string>;
  notice?: MessageKey;
  noticeParams?: Record<string, string>;
};

function fail(intent: Intent | null, status: number, errors: Record<string, string>) {
  return data<ActionResult>({ intent, errors }, { status });
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(
    request,
    params,
    "invite:user:any",
    "invite:user:own",
  );
  const form = Object.fromEntries(await readForm(request));
  const ip = clientIp(request);
  const actor = { id: member.user._id, email: member.user.email };

  switch (form.intent) {
    case "invite": {
      const parsed = inviteSchema.safeParse(form);
      if (!parsed.success) return fail("invite", 400, fieldErrors(parsed.error));
      const scope = await inviteScope(tenant._id, member);
      const { email, role } = parsed.data;
      let enterpriseId: TenantId | null = null;
      if (isEnterpriseRole(role)) {
        const only =
          scope.kind === "own" && scope.enterpriseIds.length === 1
            ? scope.enterpriseIds[0]
            : undefined;
        if (parsed.data.enterpriseId === "" && !only) {
          return fail("invite", 400, { enterpriseId: msg("errors.invite.enterpriseRequired") });
        }
        enterpriseId =
          parsed.data.enterpriseId === "" ? (only ?? null) : toObjectId(parsed.data.enterpriseId);
        if (!enterpriseId) return fail("invite", 404, { enterpriseId: msg("errors.notFound") });
      }
      if (scope.kind === "own") {
        const target = enterpriseId;
        if (
          !isEnterpriseRole(role) ||
          !target ||
          !scope.enterpriseIds.some((id) => id.equals(target))
        )
          throw forbidden();
      }
      const locale = await getLocale(request);
      const result = await createInvitation({
        tenantId: tenant._id,
        tenantSlug: tenant.slug,
        tenantName: tenantName(tenant, locale),
        email,
        role,
        enterpriseId,
        invitedBy: actor,
        ip,
        locale,
      });
      if (!result.ok) {
        switch (result.error) {
          case "enterpriseRequired":
            return fail("invite", 400, { enterpriseId: msg("errors.invite.enterpriseRequired") });
          case "enterpriseNotFound":
            return fail("invite", 404, { enterpriseId: msg("errors.notFound") });
          case "duplicate":
            return fail("invite", 409, { email: msg("errors.invite.duplicate") });
          case "alreadyMember":
            return fail("invite", 409, { email: msg("errors.invite.alreadyMember") });
          case "otherEnterprise":
            return fail("invite", 409, { email: msg("errors.invite.otherEnterprise") });
        }
      }
      return data<ActionResult>({
        intent: "invite",
        notice: "admin.users.inviteSent",
        // The link goes to the invitee's mailbox only, never to the inviter's page (decision 016).
        noticeParams: { email },
      });
    }

    case "revoke": {
      const parsed = revokeSchema.safeParse(form);
      if (!parsed.success) return fail("revoke", 400, fieldErrors(parsed.error));
      const scope = await inviteScope(tenant._id, member);
      const invitationId = toObjectId(parsed.data.invitationId);
      if (!invitationId) return fail("revoke", 404, { _form: msg("errors.notFound") });
      const result = await revokeInvitation({
        tenantId: tenant._id,
        invitationId,
        enterpriseIds: scope.kind === "own" ? scope.enterpriseIds : undefined,
        actor,
        ip,
      });
      if (!result.ok) {
        return result.error === "notFound"
          ? fail("revoke", 404, { _form: msg("errors.notFound") })
          : fail("revoke", 409, { _form: msg("errors.invite.notPending") });
      }
      return data<ActionResult>({ intent: "revoke", notice: "admin.users.inviteRevoked" });
    }

    case "changeRole": {
      requirePermission(member, "update:user:any");
      const parsed = changeRoleSchema.safeParse(form);
      if (!parsed.success) return fail("changeRole", 400, fieldErrors(parsed.error));
      const membershipId = toObjectId(parsed.data.membershipId);
      if (!membershipId) return fail("changeRole", 404, { _form: msg("errors.notFound") });
      const result = await changeMemberRole({
        tenantId: tenant._id,
        membershipId,
        role: parsed.data.role,
        actor,
        ip,
      });
      if (!result.ok) {
        switch (result.error) {
          case "notFound":
            return fail("changeRole", 404, { _form: msg("errors.notFound") });
          case "lastAdmin":
            return fail("changeRole", 409, { _form: msg("errors.lastAdmin") });
          case "alreadyMember":
            return fail("changeRole", 409, { _form: msg("errors.invite.alreadyMember") });
          case "enterpriseMismatch":
            return fail("changeRole", 400, { role: msg("errors.role.enterpriseMismatch") });
          case "conflict":
            return fail("changeRole", 409, { _form: msg("errors.conflict") });
        }
      }
      return data<ActionResult>({ intent: "changeRole", notice: "admin.users.roleChanged" });
    }

    case "remove": {
      requirePermission(member, "update:user:any");
      const parsed = removeSchema.safeParse(form);
      if (!parsed.success) return fail("remove", 400, fieldErrors(parsed.error));
      const membershipId = toObjectId(parsed.data.membershipId);
      if (!membershipId) return fail("remove", 404, { _form: msg("errors.notFound") });
      const result = await removeMembership({ tenantId: tenant._id, membershipId, actor, ip });
      if (!result.ok) {
        return result.error === "notFound"
          ? fail("remove", 404, { _form: msg("errors.notFound") })
          : fail("remove", 409, { _form: msg("errors.lastAdmin") });
      }
      return data<ActionResult>({ intent: "remove", notice: "admin.users.removed" });
    }

    default:
      return fail(null, 400, { _form: msg("errors.generic") });
  }
}

export default function AdminUsersPage() {
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  const locale = useLocale();
  const enterpriseName = (name: string | null) => name ?? "—";
  const errorsFor = (intent: Intent) =>
    actionData?.intent === intent ? (actionData.errors ?? {}) : {};
  const memberErrors = { ...errorsFor("changeRole"), ...errorsFor("remove") };

  return (
    <div className="space-y-6">
      <h1 className="page-title">{t("admin.users.title")}</h1>
      {actionData?.notice ? (
        <Notice>
          {t(actionData.notice, actionData.noticeParams)}
        </Notice>
      ) : null}

      <InviteForm
        sent={actionData?.notice === "admin.users.inviteSent" ? actionData : null}
        scope={d.scope}
        roleOptions={d.roleOptions}
        enterprises={d.enterprises}
        serverErrors={errorsFor("invite")}
      />

      <section className="card" aria-labelledby="pending-heading">
        <h2 id="pending-heading" className="mb-3 text-lg font-medium">
          {t("admin.users.pendingInvites")}
        </h2>
        <FormError error={errorsFor("revoke")._form} />
        {d.pending.items.length === 0 ? (
          <p className="text-sm text-slate-500">{t("admin.users.noPending")}</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="table" data-testid="pending-invitations">
              <thead>
                <tr>
                  <th>{t("common.email")}</th>
                  <th>{t("common.role")}</th>
                  <th>{t("admin.users.enterprise")}</th>
                  <th>{t("admin.users.expiresAt")}</th>
                  <th>{t("common.actions")}</th>
                </tr>
              </thead>
              <tbody>
                {d.pending.items.map((i) => (
                  <tr key={i.id}>
                    <td>{i.email}</td>
                    <td>{t(`role.${i.role}`)}</td>
                    <td>{enterpriseName(i.enterpriseName)}</td>
                    <td>{formatDate(i.expiresAt, locale)}</td>
                    <td>
                      <Form method="post">
                        <input type="hidden" name="intent" value="revoke" />
                        <input type="hidden" name="invitationId" value={i.id} />
                        <button type="submit" className="btn-secondary py-1">
                          {t("admin.users.revokeInvite")}
                        </button>
                      </Form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {d.pending.capped ? (
          <p className="mt-2 text-xs text-slate-500">
            {t("admin.users.listCapped", { count: d.pending.items.length })}
          </p>
        ) : null}
      </section>

      <section className="card" aria-labelledby="members-heading">
        <h2 id="members-heading" className="mb-3 text-lg font-medium">
          {t("admin.users.members")}
        </h2>
        <div className="space-y-2">
          <FormError error={memberErrors._form ?? memberErrors.role} />
        </div>
        {d.members.items.length === 0 ? (
          <p className="text-sm text-slate-500">{t("common.none")}</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="table" data-testid="members">
              <thead>
                <tr>
                  <th>{t("common.name")}</th>
                  <th>{t("common.email")}</th>
                  <th>{t("common.role")}</th>
                  <th>{t("admin.users.enterprise")}</th>
                  {d.canUpdate ? <th>{t("common.actions")}</th> : null}
                </tr>
              </thead>
              <tbody>
                {d.members.items.map((m) => (
                  <tr key={m.membershipId}>
                    <td>
                      {m.name}
                      {m.userId === d.currentUserId ? (
                        <span className="text-slate-500"> {t("admin.users.you")}</span>
                      ) : null}
                    </td>
                    <td>{m.email}</td>
                    <td>
                      {t(`role.${m.role}`)}
                      {m.role === "regulator" && d.canUpdate ? (
                        <Link to={`/t/${d.slug}/admin/users/${m.membershipId}/districts`} className="ml-2 text-xs text-brand-600 hover:underline">
                          {t("district.scope.label")}
                        </Link>
                      ) : null}
                    </td>
                    <td>{enterpriseName(m.enterpriseName)}</td>
                    {d.canUpdate ? (
                      <td>
                        <MemberActions membershipId={m.membershipId} role={m.role} />
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        <Pagination page={d.members.page} pageSize={PAGE_SIZE} total={d.members.total} />
      </section>
    </div>
  );
}

function InviteForm({
  sent,
  scope,
  roleOptions,
  enterprises,
  serverErrors,
}: {
  /** The last successful invite result; a new one clears the form. */
  sent: object | null;
  scope: "any" | "own";
  roleOptions: Role[];
  enterprises: Array<{ id: string; name: string }>;
  serverErrors: Record<string, string>;
}) {
  const t = useT();
  const navigation = useNavigation();
  const submit = useSubmit();
  const {
    register,
    handleSubmit,
    watch,
    reset,
    formState: { errors },
  } = useForm({
    resolver: zodResolver(inviteSchema),
    // The least privileged role is preselected: a stronger one is a deliberate choice.
    defaultValues: { email: "", role: roleOptions.includes("enterprise_member") ? "enterprise_member" : (roleOptions[0] ?? "enterprise_member"), enterpriseId: "" },
  });
  const role = watch("role");
  // An enterprise admin with a single enterprise never has to pick it.
  const showEnterprise = isEnterpriseRole(role) && (scope === "any" || enterprises.length > 1);
  const busy = navigation.state === "submitting" && navigation.formData?.get("intent") === "invite";
  useEffect(() => {
    if (sent) reset();
  }, [sent, reset]);
  return (
    <section className="card" aria-labelledby="invite-heading">
      <h2 id="invite-heading" className="mb-3 text-lg font-medium">
        {t("admin.users.invite")}
      </h2>
      {scope === "own" ? (
        <p className="mb-3 text-sm text-slate-600">{t("admin.users.ownEnterpriseHint")}</p>
      ) : null}
      <Form
        method="post"
        noValidate
        className="grid gap-4 md:grid-cols-3"
        onSubmit={(event) => {
          const target = event.currentTarget;
          void handleSubmit(() => submit(target))(event);
        }}
      >
        <input type="hidden" name="intent" value="invite" />
        <div className="md:col-span-3">
          <FormError error={serverErrors._form} />
        </div>
        <TextField
          label={t("common.email")}
          type="email"
          autoComplete="off"
          error={errors.email?.message ?? serverErrors.email}
          {...register("email")}
        />
        <SelectField
          label={t("common.role")}
          options={roleOptions.map((r) => ({ value: r, label: t(`role.${r}`) }))}
          error={errors.role?.message ?? serverErrors.role}
          {...register("role")}
        />
        {showEnterprise ? (
          <SelectField
            label={t("admin.users.enterprise")}
            placeholder={t("admin.users.chooseEnterprise")}
            options={enterprises.map((e) => ({ value: e.id, label: e.name }))}
            error={errors.enterpriseId?.message ?? serverErrors.enterpriseId}
            {...register("enterpriseId")}
          />
        ) : (
          <input type="hidden" {...register("enterpriseId")} />
        )}
        <div className="md:col-span-3">
          <button type="submit" className="btn-primary" disabled={busy}>
            {t("admin.users.sendInvite")}
          </button>
        </div>
      </Form>
    </section>
  );
}

function MemberActions({ membershipId, role }: { membershipId: string; role: Role }) {
  const t = useT();
  // Enterprise roles swap only among themselves; see changeMemberRole.
  const choices = ROLES.filter((r) => isEnterpriseRole(r) === isEnterpriseRole(role));
  return (
    <div className="flex flex-wrap items-center gap-2">
      <Form method="post" className="flex items-center gap-2">
        <input type="hidden" name="intent" value="changeRole" />
        <input type="hidden" name="membershipId" value={membershipId} />
        <label className="sr-only" htmlFor={`role-${membershipId}`}>
          {t("common.role")}
        </label>
        <select
          id={`role-${membershipId}`}
          name="role"
          defaultValue={role}
          className="input w-auto py-1"
        >
          {choices.map((r) => (
            <option key={r} value={r}>
              {t(`role.${r}`)}
            </option>
          ))}
        </select>
        <button type="submit" className="btn-secondary py-1">
          {t("admin.users.changeRole")}
        </button>
      </Form>
      <Form
        method="post"
        onSubmit={(event) => {
          if (!window.confirm(t("admin.users.confirmRemove"))) event.preventDefault();
        }}
      >
        <input type="hidden" name="intent" value="remove" />
        <input type="hidden" name="membershipId" value={membershipId} />
        <button type="submit" className="btn-danger py-1">
          {t("admin.users.remove")}
        </button>
      </Form>
    </div>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d?.title ?? "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
