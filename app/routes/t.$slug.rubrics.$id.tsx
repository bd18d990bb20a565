import {
  data,
  redirect,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
} from "@remix-run/node";
import {
  Link,
  useActionData,
  useLoaderData,
  useNavigation,
  useSearchParams,
  useSubmit,
} from "@remix-run/react";
import { useCallback, useState } from "react";
import { z } from "zod";
import { clientIp } from "~/auth.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, Notice } from "~/components/form";
import { DiscardControl, PublishControl } from "~/components/rubric-actions";
import { RubricEditor } from "~/components/rubric-editor";
import { RubricOverview, RubricTree, StatusBadge } from "~/components/rubric-tree";
import { toObjectId } from "~/data/ids.server";
import { discardDraft, publishDraft, updateDraft } from "~/data/rubric-admin.server";
import { getPublishInfo } from "~/data/rubric-publish-info.server";
import { countItems, getRubricVersion } from "~/data/rubrics.server";
import { useLocale, useT } from "~/i18n/react";
import { formatDateTime } from "~/lib/datetime";
import { can } from "~/lib/permissions";
import type { RubricIssue } from "~/lib/rubric/issues";
import { pickText } from "~/lib/rubric/localize";
import type { Rubric } from "~/lib/rubric/schema";
import { msg } from "~/lib/validation";
import { getLocale } from "~/locale.server";
import { notFound, requireTenantPermission, tenantName } from "~/tenant.server";
import { readForm } from "~/lib/http/read-form.server";

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "read:rubric:any");
  const id = toObjectId(params.id);
  if (!id) throw notFound();
  const loaded = await getRubricVersion({ tenantId: tenant._id, id });
  const canManage = can(member.permissions, "manage:rubric:any");
  if (!loaded || (loaded.meta.status === "draft" && !canManage)) throw notFound();
  const { meta, rubric } = loaded;
  const parent = meta.parentId
    ? await getRubricVersion({ tenantId: tenant._id, id: meta.parentId })
    : null;
  const locale = await getLocale(request);
  const editable = canManage && meta.status === "draft" && meta.tenantId !== null;
  return {
    locale,
    publishInfo: editable ? await getPublishInfo({ tenantId: tenant._id, id }) : null,
    title: `${pickText(meta.title, locale)} ${meta.key}@${meta.version} · ${tenantName(tenant, locale)}`,
    slug: tenant.slug,
    version: {
      id: String(meta._id),
      key: meta.key,
      version: meta.version,
      title: meta.title,
      status: meta.status,
      source: meta.source,
      revision: meta.revision,
      itemCount: countItems(rubric),
      publishedAt: meta.publishedAt ? meta.publishedAt.toISOString() : null,
      updatedAt: meta.updatedAt.toISOString(),
    },
    parent: parent
      ? {
          id: String(parent.meta._id),
          label: `${parent.meta.key}@${parent.meta.version}`,
          totalPoints: parent.rubric.totalPoints,
        }
      : null,
    rubric,
    canManage,
    editable,
  };
}

const saveSchema = z.object({
  revision: z.coerce.number().int().min(0),
  // A 200-item rubric is ~150 kB of JSON; anything near this bound is not an editor's submission.
  rubric: z.string().min(2).max(3_000_000),
});
const publishSchema = z.object({
  revision: z.coerce.number().int().min(0),
  // Sent (as the new total) only when the dialog asked to confirm a changed total.
  confirmTotal: z.coerce.number().finite().optional(),
});

type ActionResult = {
  intent: "save" | "publish" | "discard" | null;
  ok?: boolean;
  revision?: number;
  errors?: Record<string, string>;
  issues?: RubricIssue[];
};

function fail(
  intent: ActionResult["intent"],
  status: number,
  message: string,
  issues?: RubricIssue[],
) {
  return data<ActionResult>({ intent, errors: { _form: message }, issues }, { status });
}

function writeFailure(
  intent: ActionResult["intent"],
  error: "notFound" | "immutable" | "conflict",
) {
  if (error === "notFound") throw notFound();
  return fail(
    intent,
    409,
    error === "immutable" ? msg("rubric.error.immutable") : msg("errors.conflict"),
  );
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "manage:rubric:any");
  const id = toObjectId(params.id);
  if (!id) throw notFound();
  const form = Object.fromEntries(await readForm(request));
  const actor = { id: member.user._id, email: member.user.email };
  const ip = clientIp(request);
  const base = `/t/${tenant.slug}/rubrics`;

  switch (form.intent) {
    case "save": {
      const parsed = saveSchema.safeParse(form);
      if (!parsed.success) return fail("save", 400, msg("errors.generic"));
      let rubric: unknown;
      try {
        rubric = JSON.parse(parsed.data.rubric);
      } catch {
        return fail("save", 400, msg("rubric.error.invalidJson"));
      }
      const result = await updateDraft({
        tenantId: tenant._id,
        id,
        expectedRevision: parsed.data.revision,
        rubric,
        actor,
        ip,
      });
      if (result.ok)
        return data<ActionResult>({ intent: "save", ok: true, revision: result.revision });
      if (result.error === "invalid")
        return fail(
          "save",
          400,
          msg("rubric.editor.invalid", { count: result.issues.length }),
          result.issues,
        );
      return writeFailure("save", result.error);
    }
    case "publish": {
      const parsed = publishSchema.safeParse(form);
      if (!parsed.success) return fail("publish", 400, msg("errors.generic"));
      const result = await publishDraft({
        tenantId: tenant._id,
        id,
        actor,
        expectedRevision: parsed.data.revision,
        ip,
        confirmedTotal: parsed.data.confirmTotal ?? null,
      });
      if (!result.ok) {
        if (result.error === "totalUnconfirmed")
          return fail("publish", 400, msg("rubricPublish.totalUnconfirmed", result.totalChange));
        return writeFailure("publish", result.error);
      }
      return redirect(`${base}/${String(id)}?published=1`);
    }
    case "discard": {
      const result = await discardDraft({ tenantId: tenant._id, id, actor, ip });
      if (!result.ok) return writeFailure("discard", result.error);
      return redirect(base);
    }
    default:
      return fail(null, 400, msg("errors.generic"));
  }
}

export default function RubricVersionPage() {
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const navigation = useNavigation();
  const submit = useSubmit();
  const [searchParams] = useSearchParams();
  const t = useT();
  const locale = useLocale();
  const [dirty, setDirty] = useState(false);
  const v = d.version;
  const base = `/t/${d.slug}/rubrics/${v.id}`;
  // The loader data went through JSON; it is the rubric the server validated.
  const rubric: Rubric = d.rubric;

  const onSave = useCallback(
    (value: Rubric) => {
      submit(
        { intent: "save", revision: String(v.revision), rubric: JSON.stringify(value) },
        { method: "post" },
      );
    },
    [submit, v.revision],
  );

  const saved =
    actionData?.intent === "save" && actionData.ok === true && actionData.revision === v.revision;
  return (
    <section>
      <p className="mb-2 text-sm">
        <Link to={`/t/${d.slug}/rubrics`} className="text-brand-700 hover:underline">
          ← {t("rubric.list.title")}
        </Link>
      </p>
      <div className="mb-4 flex flex-wrap items-start gap-3">
        <div className="min-w-0 flex-1">
          <h1 className="page-title mb-1">{pickText(v.title, locale)}</h1>
          <p className="flex flex-wrap items-center gap-2 text-sm text-slate-600">
            <span className="font-mono" data-testid="rubric-ref">
              {v.key}@{v.version}
            </span>
            <StatusBadge status={v.status} />
            <span>{t(`rubric.source.${v.source}`)}</span>
            {d.parent ? (
              <span>
                {t("rubric.detail.parent")}{" "}
                <Link
                  to={`/t/${d.slug}/rubrics/${d.parent.id}`}
                  className="font-mono text-brand-700 hover:underline"
                >
                  {d.parent.label}
                </Link>
              </span>
            ) : null}
            {v.publishedAt ? (
              <span>
                {t("rubric.detail.publishedAt", { date: formatDateTime(v.publishedAt, locale) })}
              </span>
            ) : null}
          </p>
        </div>
        <div className="flex flex-wrap items-center gap-2">
          {d.parent ? (
            <Link to={`${base}/diff`} className="btn-secondary py-1.5" data-testid="open-diff">
              {t("rubric.actions.diff")}
            </Link>
          ) : null}
          {d.editable ? (
            <>
              <Link
                to={`${base}/preview`}
                className="btn-secondary py-1.5"
                data-testid="open-preview"
              >
                {t("rubric.actions.preview")}
              </Link>
              <PublishControl
                action={base}
                revision={v.revision}
                info={d.publishInfo}
                blockedReason={dirty ? t("rubric.publish.saveFirst") : null}
              />
              <DiscardControl action={base} />
            </>
          ) : null}
          {v.status === "published" ? (
            <Link to={`/t/${d.slug}/criteria/${v.id}`} className="btn-secondary py-1.5">
              {t("rubric.public.link")}
            </Link>
          ) : null}
        </div>
      </div>

      <div className="mb-4 space-y-2">
        {searchParams.get("published") === "1" && v.status === "published" ? (
          <Notice>{t("rubric.publish.done")}</Notice>
        ) : null}
        {saved ? <Notice>{t("rubric.editor.saved")}</Notice> : null}
        <FormError error={actionData?.errors?._form} />
      </div>

      {d.editable ? (
        <>
          <p className="mb-3 text-sm text-slate-600">{t("rubric.editor.intro")}</p>
          <RubricEditor
            rubric={rubric}
            revision={v.revision}
            parentTotal={d.parent?.totalPoints ?? null}
            serverIssues={actionData?.intent === "save" ? (actionData.issues ?? null) : null}
            submitting={navigation.state !== "idle"}
            onSave={onSave}
            onDirtyChange={setDirty}
          />
        </>
      ) : (
        <div className="space-y-4">
          <RubricOverview rubric={rubric} itemCount={v.itemCount} />
          <RubricTree rubric={rubric} collapsible />
        </div>
      )}
    </section>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? d.title : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
