/**
 * GET/POST /t/<slug>/credit/<id> — one credit-list record: its fields (ID number masked except in
 * the regulator's draft form), defence and repair, history, and the actions allowed now:
 *   regulator: edit draft, send notice (deadline from the tenant setting, editable), record a
 *   defence received on paper, decide / drop with a written decision, publish, grant or refuse a
 *   repair with reasons, restore after a fraudulent repair;
 *   enterprise admin: submit a defence statement with files before the deadline, apply for credit
 *   repair (with files) once allowed.
 * The defence and repair forms post multipart/form-data (field `files`, several allowed).
 */
import { zodResolver } from "@hookform/resolvers/zod";
import {
  data,
  unstable_composeUploadHandlers,
  unstable_createMemoryUploadHandler,
  unstable_parseMultipartFormData,
  type ActionFunctionArgs,
  type LoaderFunctionArgs,
  type MetaFunction,
  type UploadHandler,
} from "@remix-run/node";
import { Form, Link, useActionData, useLoaderData, useNavigation, useSubmit } from "@remix-run/react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { clientIp, forbidden } from "~/auth.server";
import { requestNow } from "~/clock.server";
import { CreditDraftForm } from "~/components/credit-draft-form";
import { CreditStatusBadge, useLooseT } from "~/components/credit-status";
import { ConfirmSubmit } from "~/components/confirm-dialog";
import { publishImpact, type PublishImpact } from "~/data/credit/publish-impact.server";
import { GeneralErrorBoundary } from "~/components/error-boundary";
import { FormError, Notice, TextAreaField, TextField } from "~/components/form";
import {
  applyCreditRecordEvent,
  availableCreditActions,
  creditRoleFor,
  findVisibleCreditRecord,
  getCreditSettings,
  toCreditRecordView,
  updateCreditDraft,
  type CreditFileView,
} from "~/data/credit-records.server";
import type { TenantId as ObjectId } from "~/data/ids.server";
import { deleteStoredFile, evidenceLimits, storeOwnedFile, type StoredFile } from "~/data/evidence.server";
import { translate, type MessageKey } from "~/i18n";
import { useErrorText, useLocale, useT } from "~/i18n/react";
import { addDays, addMonths } from "~/lib/certificate";
import { formatDate, formatDateTime } from "~/lib/datetime";
import { formatBytes } from "~/lib/evidence";
import { can } from "~/lib/permissions";
import { msg } from "~/lib/validation";
import { getLocale } from "~/locale.server";
import { logger } from "~/logger.server";
import { notFound, requireTenantPermission } from "~/tenant.server";
import {
  CREDIT_EVENT_FIELD,
  REPAIR_CONDITIONS,
  repairEvidenceField,
  creditEventFromForm,
  creditEventInputSchema,
  type CreditMemberEventType,
} from "~/workflows/credit-input";
import { shanghaiDate } from "~/workflows/working-days";
import { BodyTooLargeError, limitBody, readForm } from "~/lib/http/read-form.server";

/** Files per defence statement or repair application. */
const MAX_CREDIT_FILES = 5;

export async function loader({ request, params }: LoaderFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "read:credit:own", "read:credit:any");
  const doc = await findVisibleCreditRecord({ tenantId: tenant._id, id: params.id ?? "", member });
  if (!doc) throw notFound();
  const settings = await getCreditSettings({ tenantId: tenant._id });
  // The e2e server may move the clock (X-SafeGrade-Test-Now); elsewhere this is the real time.
  const now = requestNow(request);
  const editable = doc.state === "draft" && creditRoleFor(member, "EDIT", doc) !== null;
  const actions = availableCreditActions(doc, member, settings, now);
  // The publish confirmation counts what the listing will stop and suspend.
  const impact =
    actions.PUBLISH && actions.PUBLISH.length === 0
      ? await publishImpact({ tenantId: tenant._id, record: doc, certificateEffect: settings.certificateEffect })
      : null;
  const enterpriseLink =
    doc.enterpriseId && (can(member.permissions, "read:enterprise:any") || (member.enterpriseId?.equals(doc.enterpriseId) ?? false))
      ? `/t/${tenant.slug}/enterprises/${String(doc.enterpriseId)}`
      : null;
  return {
    impact,
    enterpriseLink,
    publishEndsAt: shanghaiDate(addMonths(now, settings.periodMonths[doc.listType])),
    slug: tenant.slug,
    locale: await getLocale(request),
    record: toCreditRecordView(doc, settings),
    /** The regulator's draft form shows the full ID number. */
    draft: editable ? toCreditRecordView(doc, settings, { unmasked: true }) : null,
    conditions: settings.conditions,
    actions,
    isRegulator: can(member.permissions, "manage:credit:any") && member.roles.includes("regulator"),
    defaultDeadline: shanghaiDate(addDays(now, settings.defenceDays)),
  };
}

type ActionResult = { ok: boolean; intent: string; notice: MessageKey | null; errors: Record<string, string> };
const reply = (body: ActionResult, status = 200) => data(body, { status });

const FILE_ERRORS: Record<string, MessageKey> = {
  badName: "evidence.errors.badName",
  empty: "evidence.errors.empty",
  type: "evidence.errors.type",
  mismatch: "evidence.errors.mismatch",
  tooLarge: "evidence.errors.tooLarge",
};

/** Reads the posted form; files (multipart `files`) are stored as they stream in, the whole body limited. */
async function readCreditForm(
  request: Request,
  owner: { tenantId: ObjectId; recordId: ObjectId; userId: ObjectId; maxBytes: number },
): Promise<{ form: Record<string, string>; files: StoredFile[]; fileError: string | null }> {
  const contentType = request.headers.get("Content-Type") ?? "";
  if (!contentType.startsWith("multipart/form-data")) {
    const form: Record<string, string> = {};
    for (const [k, v] of await readForm(request)) if (typeof v === "string") form[k] = v;
    return { form, files: [], fileError: null };
  }
  const files: StoredFile[] = [];
  let fileError: string | null = null;
  const fileHandler: UploadHandler = async (part) => {
    if (part.name !== "files" || part.filename === undefined) return undefined;
    if (!part.filename) {
      // An empty file input still sends a part.
      for await (const chunk of part.data) void chunk;
      return "";
    }
    if (fileError || files.length >= MAX_CREDIT_FILES) {
      if (!fileError && files.length >= MAX_CREDIT_FILES) fileError = msg("credit.errors.tooManyFiles", { max: MAX_CREDIT_FILES });
      for await (const chunk of part.data) void chunk;
      return "";
    }
    const stored = await storeOwnedFile({
      tenantId: owner.tenantId,
      creditRecordId: owner.recordId,
      uploadedBy: owner.userId,
      source: part.data,
      filename: part.filename,
      maxBytes: owner.maxBytes,
    });
    if (stored.ok) files.push(stored.file);
    else {
      const key = FILE_ERRORS[stored.error] ?? "errors.generic";
      fileError = stored.error === "tooLarge" ? msg(key, { max: formatBytes(owner.maxBytes) }) : msg(key);
      // Drain whatever the store left unread.
      for await (const chunk of part.data) void chunk;
    }
    return "";
  };
  const formData = await unstable_parseMultipartFormData(
    limitBody(request, MAX_CREDIT_FILES * owner.maxBytes + 256 * 1024),
    unstable_composeUploadHandlers(fileHandler, unstable_createMemoryUploadHandler({ maxPartSize: 64 * 1024 })),
  );
  const form: Record<string, string> = {};
  for (const [k, v] of formData) if (typeof v === "string" && k !== "files") form[k] = v;
  return { form, files, fileError };
}

export async function action({ request, params }: ActionFunctionArgs) {
  const { tenant, member } = await requireTenantPermission(request, params, "read:credit:own", "read:credit:any");
  const doc = await findVisibleCreditRecord({ tenantId: tenant._id, id: params.id ?? "", member });
  if (!doc) throw notFound();
  const ip = clientIp(request);
  const now = requestNow(request);
  let read: Awaited<ReturnType<typeof readCreditForm>>;
  try {
    read = await readCreditForm(request, {
      tenantId: tenant._id,
      recordId: doc._id,
      userId: member.user._id,
      maxBytes: evidenceLimits(tenant.settings).maxFileBytes,
    });
  } catch (error) {
    // Not a form (415), over the byte limit (413), a truncated or malformed body (400).
    if (error instanceof Response) throw error;
    logger.warn({ err: error, creditRecordId: String(doc._id) }, "credit form could not be read");
    const status = error instanceof BodyTooLargeError ? 413 : 400;
    return reply({ ok: false, intent: "", notice: null, errors: { _form: msg("errors.generic") } }, status);
  }
  const { form, files } = read;
  const intent = form.intent ?? "";
  const versionText = form.version ?? "";
  const expectedVersion = /^\d+$/.test(versionText) ? Number(versionText) : undefined;
  const discard = async () => {
    for (const f of files) await deleteStoredFile(f.fileId);
  };

  if (intent === "edit") {
    await discard();
    const result = await updateCreditDraft({
      tenantId: tenant._id,
      id: String(doc._id),
      member,
      input: form,
      expectedVersion: expectedVersion ?? -1,
      ip,
      now,
    });
    if (result.ok) return reply({ ok: true, intent, notice: "credit.edit.saved", errors: {} });
    if (result.status === 403) throw forbidden();
    if (result.status === 404) throw notFound();
    return reply({ ok: false, intent, notice: null, errors: result.errors }, result.status);
  }

  if (read.fileError) {
    await discard();
    return reply({ ok: false, intent, notice: null, errors: { files: read.fileError } }, 400);
  }
  const result = await applyCreditRecordEvent({
    tenantId: tenant._id,
    id: doc._id,
    event: creditEventFromForm(form),
    actor: { kind: "member", member },
    expectedVersion,
    files,
    ip,
    now,
  });
  if (!result.ok) {
    await discard();
    if (result.status === 403) throw forbidden();
    if (result.status === 404) throw notFound();
    return reply({ ok: false, intent, notice: null, errors: result.errors }, result.status);
  }
  return reply({ ok: true, intent, notice: "credit.detail.done", errors: {} });
}

export default function CreditRecordPage() {
  const d = useLoaderData<typeof loader>();
  const actionData = useActionData<typeof action>();
  const t = useT();
  const loose = useLooseT();
  const locale = useLocale();
  const r = d.record;
  const date = (v: string | null) => (v ? formatDate(v, locale) : "—");
  const facts: Array<[string, string, string]> = [
    ["subjectName", t("credit.field.subjectName"), r.subjectName],
    ["creditCode", t("credit.field.creditCode"), r.creditCode],
    ["subjectType", t("credit.field.subjectType"), loose(`credit.subjectType.${r.subjectType}`)],
    ["responsibleName", t("credit.field.responsibleName"), r.responsibleName || "—"],
    ["responsibleIdNumber", t("credit.field.responsibleIdNumber"), r.responsibleIdNumber || "—"],
    ["listType", t("credit.field.listType"), loose(`credit.listType.${r.listType}`)],
    ["condition", t("credit.field.condition"), loose(`credit.condition.${r.conditionKey}`)],
    ["penaltyDecisionNo", t("credit.field.penaltyDecisionNo"), r.penaltyDecisionNo || "—"],
    ["authority", t("credit.field.authority"), r.authority || "—"],
    ["noticeAt", t("credit.field.noticeAt"), date(r.noticeAt)],
    ["defenceDeadline", t("credit.field.defenceDeadline"), date(r.defenceDeadline)],
    ["decidedAt", t("credit.field.decidedAt"), date(r.decidedAt)],
    ["listedAt", t("credit.field.listedAt"), date(r.listedAt)],
    ["endsAt", t("credit.field.endsAt"), date(r.endsAt)],
    ["removedAt", t("credit.field.removedAt"), date(r.removedAt)],
  ];
  if (r.removalReason) facts.push(["removalReason", t("credit.field.removalReason"), loose(`credit.removalReason.${r.removalReason}`)]);
  const actionEntries = Object.entries(d.actions) as Array<[CreditMemberEventType, string[]]>;
  const repairBlocked = d.actions.APPLY_REPAIR?.includes("repair-too-early") ?? false;
  const shown = actionEntries.filter(([, reasons]) => reasons.length === 0);
  const formError = actionData && !actionData.ok && actionData.intent !== "edit" ? actionData.errors._form : undefined;
  const fileBase = `/t/${d.slug}/credit/${r.id}/files`;

  return (
    <section className="space-y-6" data-testid="credit-record" data-state={r.state}>
      <Link to={`/t/${d.slug}/credit`} className="text-sm text-brand-700 hover:underline">
        ← {t("credit.detail.back")}
      </Link>
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="page-title mb-0" data-testid="credit-subject">
          {r.subjectName}
        </h1>
        <CreditStatusBadge status={r.status} />
        {d.enterpriseLink ? (
          <Link to={d.enterpriseLink} className="text-sm text-brand-700 hover:underline" data-testid="credit-enterprise-link">
            {t("links.enterprise")}
          </Link>
        ) : null}
      </div>
      {actionData?.notice ? <Notice>{t(actionData.notice)}</Notice> : null}
      {r.effectsPending ? (
        <p className="text-sm text-amber-700" data-testid="credit-effects-pending">
          {t("credit.detail.effectsPending")}
        </p>
      ) : null}
      {r.status === "notified" && r.defenceDeadline ? (
        <p className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-800" data-testid="credit-defence-deadline">
          {t("credit.detail.defenceUntil", { date: date(r.defenceDeadline) })}
        </p>
      ) : null}

      <div className="card">
        <h2 className="mb-3 text-lg font-medium">{t("credit.detail.facts")}</h2>
        <dl className="grid gap-x-6 gap-y-3 sm:grid-cols-2" data-testid="credit-facts">
          {facts.map(([key, label, value]) => (
            <div key={key} data-field={key}>
              <dt className="text-xs text-slate-500">{label}</dt>
              <dd className="break-words text-sm">{value}</dd>
            </div>
          ))}
        </dl>
        <div className="mt-4 space-y-3 border-t border-slate-100 pt-4 text-sm">
          <div>
            <h3 className="text-xs text-slate-500">{t("credit.field.facts")}</h3>
            <p className="whitespace-pre-wrap break-words">{r.facts || "—"}</p>
          </div>
          <div>
            <h3 className="text-xs text-slate-500">{t("credit.field.legalBasis")}</h3>
            <p className="whitespace-pre-wrap break-words">{r.legalBasis || "—"}</p>
          </div>
          {r.decisionText ? (
            <div data-testid="credit-decision">
              <h3 className="text-xs text-slate-500">{t("credit.field.decisionText")}</h3>
              <p className="whitespace-pre-wrap break-words">{r.decisionText}</p>
            </div>
          ) : null}
        </div>
      </div>

      {r.defence ? (
        <div className="card space-y-2" data-testid="credit-defence">
          <h2 className="text-lg font-medium">{t("credit.detail.defence")}</h2>
          <p className="text-xs text-slate-500">{r.defence.submittedAt ? formatDateTime(r.defence.submittedAt, locale) : ""}</p>
          <p className="whitespace-pre-wrap break-words text-sm">{r.defence.statement}</p>
          <FileList files={r.defence.files} base={fileBase} />
        </div>
      ) : null}

      {r.repair ? (
        <div className="card space-y-2" data-testid="credit-repair">
          <h2 className="text-lg font-medium">{t("credit.detail.repair")}</h2>
          <p className="text-xs text-slate-500">{r.repair.appliedAt ? formatDateTime(r.repair.appliedAt, locale) : ""}</p>
          <p className="whitespace-pre-wrap break-words text-sm">{r.repair.statement}</p>
          <FileList files={r.repair.files} base={fileBase} />
          {r.repair.decidedAt ? (
            <p className="text-sm" data-testid="credit-repair-decision" data-granted={String(r.repair.granted)}>
              <span className="font-medium">{r.repair.granted ? t("credit.detail.granted") : t("credit.detail.refused")}</span>
              {r.repair.reasons ? `：${r.repair.reasons}` : ""}
            </p>
          ) : null}
          {r.repair.checklist.length > 0 ? (
            <ul className="list-inside list-disc text-sm text-slate-700" data-testid="credit-repair-checklist">
              {r.repair.checklist.map((c) => (
                <li key={c.key} data-repair-condition={c.key}>
                  {loose(`credit.repair.condition.${c.key}`)}：{c.evidence}
                </li>
              ))}
            </ul>
          ) : null}
        </div>
      ) : null}

      {r.status === "published" && r.repairAllowedFrom && (repairBlocked || d.actions.APPLY_REPAIR) ? (
        <p className="text-sm text-slate-600" data-testid="credit-repair-from">
          {t("credit.detail.repairFrom", { date: date(r.repairAllowedFrom) })}
        </p>
      ) : null}

      {d.draft ? (
        <div className="space-y-2" data-testid="credit-edit">
          <h2 className="text-lg font-medium">{t("credit.edit.title")}</h2>
          <CreditDraftForm
            key={d.draft.version}
            defaults={{
              subjectName: d.draft.subjectName,
              creditCode: d.draft.creditCode,
              subjectType: d.draft.subjectType,
              responsibleName: d.draft.responsibleName,
              responsibleIdNumber: d.draft.responsibleIdNumber,
              listType: d.draft.listType,
              conditionKey: d.draft.conditionKey,
              facts: d.draft.facts,
              legalBasis: d.draft.legalBasis,
              penaltyDecisionNo: d.draft.penaltyDecisionNo,
              authority: d.draft.authority,
            }}
            conditions={d.conditions}
            serverErrors={actionData?.intent === "edit" ? actionData.errors : {}}
            submitLabel={t("credit.edit.submit")}
            hidden={{ intent: "edit", version: String(d.draft.version) }}
          />
        </div>
      ) : null}

      {shown.length > 0 ? (
        <div className="card space-y-4" data-testid="credit-actions">
          <h2 className="text-lg font-medium">{t("credit.detail.actions")}</h2>
          <FormError error={formError} />
          <div className="grid gap-4 lg:grid-cols-2">
            {shown.map(([type]) => (
              <EventForm
                key={`${type}-${r.version}`}
                type={type}
                version={r.version}
                isRegulator={d.isRegulator}
                defaultDeadline={d.defaultDeadline}
                confirm={type === "PUBLISH" && d.impact ? { impact: d.impact, name: r.subjectName, endsAt: d.publishEndsAt } : null}
                serverErrors={actionData?.intent === type ? actionData.errors : {}}
              />
            ))}
          </div>
        </div>
      ) : null}

      <div>
        <h2 className="mb-3 text-lg font-medium">{t("credit.detail.history")}</h2>
        <ol className="space-y-2" data-testid="credit-history">
          {r.history.map((h, i) => (
            <li key={`${h.at}-${i}`} className="card py-3 text-sm" data-event={h.event}>
              <div className="flex flex-wrap items-baseline gap-x-3">
                <span className="font-medium">{loose(`credit.event.${h.event}`)}</span>
                <span className="text-xs text-slate-500">{formatDateTime(h.at, locale)}</span>
                <span className="text-xs text-slate-500">{h.system ? t("credit.detail.system") : h.actorName}</span>
              </div>
              {h.note ? <p className="mt-1 whitespace-pre-wrap break-words">{h.note}</p> : null}
              {h.event === "EFFECTS_APPLIED" ? (
                <p className="mt-1 text-slate-600">
                  {t("credit.effects.summary", {
                    applications: countOf(h.details.applications),
                    certificates: countOf(h.details.certificates),
                    emails: typeof h.details.emails === "number" ? h.details.emails : 0,
                  })}
                </p>
              ) : null}
            </li>
          ))}
        </ol>
      </div>
    </section>
  );
}

function countOf(value: unknown): number {
  return Array.isArray(value) ? value.length : 0;
}

function FileList({ files, base }: { files: CreditFileView[]; base: string }) {
  const t = useT();
  if (files.length === 0) return null;
  return (
    <div>
      <h3 className="text-xs text-slate-500">{t("credit.detail.files")}</h3>
      <ul className="list-inside list-disc text-sm" data-testid="credit-files">
        {files.map((f) => (
          <li key={f.fileId}>
            <a href={`${base}/${f.fileId}`} className="break-all text-brand-700 hover:underline">
              {f.name}
            </a>{" "}
            <span className="text-xs text-slate-500">({formatBytes(f.size)})</span>
          </li>
        ))}
      </ul>
    </div>
  );
}

const WITH_FILES = new Set<CreditMemberEventType>(["DEFENCE_RECEIVED", "APPLY_REPAIR"]);

function EventForm({
  type,
  version,
  isRegulator,
  defaultDeadline,
  confirm,
  serverErrors,
}: {
  type: CreditMemberEventType;
  version: number;
  isRegulator: boolean;
  defaultDeadline: string;
  confirm: { impact: PublishImpact; name: string; endsAt: string } | null;
  serverErrors: Record<string, string>;
}) {
  const t = useT();
  const navigation = useNavigation();
  const submit = useSubmit();
  const field = CREDIT_EVENT_FIELD[type];
  const option = creditEventInputSchema.options.find((o) => o.shape.type.value === type);
  const shape: Record<string, z.ZodType> = option ? { ...option.shape } : {};
  const fieldSchema = field ? shape[field] : undefined;
  const schema = z.object(field && fieldSchema ? { [field]: fieldSchema } : {});
  const {
    register,
    handleSubmit,
    trigger,
    formState: { errors },
  } = useForm<Record<string, string>>({
    resolver: zodResolver(schema as unknown as z.ZodType<Record<string, string>, Record<string, string>>),
    defaultValues: field ? { [field]: type === "SEND_NOTICE" ? defaultDeadline : "" } : {},
  });
  const label =
    type === "DEFENCE_RECEIVED" && isRegulator ? t("credit.action.recordPaperDefence") : t(`credit.action.${type}`);
  const fieldError = field ? (errors[field]?.message ?? serverErrors[field]) : undefined;
  return (
    <Form
      method="post"
      noValidate
      encType={WITH_FILES.has(type) ? "multipart/form-data" : undefined}
      className="flex flex-col gap-2 rounded-md border border-slate-200 p-4"
      data-testid={`credit-action-${type}`}
      onSubmit={(event) => {
        const target = event.currentTarget;
        void handleSubmit(() => submit(target))(event);
      }}
    >
      <input type="hidden" name="intent" value={type} />
      <input type="hidden" name="version" value={version} />
      <h3 className="font-medium">{label}</h3>
      {type === "GRANT_REPAIR" ? <RepairChecklist serverErrors={serverErrors} /> : null}
      {field === "defenceDeadline" ? (
        <TextField type="date" label={t("credit.field.defenceDeadline")} error={fieldError} {...register("defenceDeadline")} />
      ) : field ? (
        <TextAreaField
          label={field === "decisionText" ? t("credit.field.decisionText") : field === "reasons" ? t("common.reason") : t("credit.detail.defence")}
          rows={3}
          error={fieldError}
          {...register(field)}
        />
      ) : null}
      {WITH_FILES.has(type) ? (
        <TextField type="file" name="files" multiple label={t("credit.detail.files")} hint={t("credit.action.filesHint")} error={serverErrors.files} />
      ) : null}
      <div>
        {confirm ? (
          <ConfirmSubmit
            label={label}
            title={t("confirm.publish.title")}
            consequences={[
              t("confirm.publish.public", { name: confirm.name, date: confirm.endsAt }),
              ...(confirm.impact.enterpriseId
                ? [
                    t("confirm.publish.applications", { count: confirm.impact.applications }),
                    t("confirm.publish.certificates", { count: confirm.impact.certificates }),
                  ]
                : [t("confirm.publish.unregistered")]),
            ]}
            confirmLabel={t("confirm.publish.confirm")}
            tone="danger"
            disabled={navigation.state !== "idle"}
            testId="credit-publish"
            onOpen={() => trigger()}
          >
            <p className="sr-only" data-testid="publish-impact" data-applications={confirm.impact.applications} data-certificates={confirm.impact.certificates} />
          </ConfirmSubmit>
        ) : (
          <button
            type="submit"
            className={type === "DROP" || type === "REFUSE_REPAIR" ? "btn-secondary" : "btn-primary"}
            disabled={navigation.state !== "idle"}
            data-testid={`credit-submit-${type}`}
          >
            {label}
          </button>
        )}
      </div>
    </Form>
  );
}

/** Early removal: each condition ticked by the regulator, with its evidence (a note or a file name). */
function RepairChecklist({ serverErrors }: { serverErrors: Record<string, string> }) {
  const t = useT();
  const errorText = useErrorText();
  return (
    <fieldset className="space-y-3" data-testid="repair-checklist">
      <legend className="text-sm font-medium text-slate-700">{t("credit.repair.checklist")}</legend>
      {REPAIR_CONDITIONS.map((key) => {
        const tickError = errorText(serverErrors[key]);
        const evidenceField = repairEvidenceField(key);
        return (
          <div key={key} className="rounded-md border border-slate-200 p-3" data-repair-condition={key}>
            <label className="inline-flex items-center gap-2 text-sm">
              <input type="checkbox" name={key} value="on" className="h-4 w-4" aria-invalid={tickError ? true : undefined} />
              {t(`credit.repair.condition.${key}`)}
            </label>
            {tickError ? (
              <p className="field-error" role="alert">
                {tickError}
              </p>
            ) : null}
            <TextField name={evidenceField} label={t("credit.repair.evidence")} maxLength={500} error={serverErrors[evidenceField]} />
          </div>
        );
      })}
    </fieldset>
  );
}

export const meta: MetaFunction<typeof loader> = ({ data: d }) => [
  { title: d ? `${d.record.subjectName} · ${translate(d.locale, "credit.list.title")}` : "SafeGrade" },
];

export function ErrorBoundary() {
  return <GeneralErrorBoundary />;
}
