/**
 * The forms of the workflow actions a member may take on an application, one per event. Every
 * form posts `intent=<EVENT>` and the `version` the page showed (compare-and-set on the server),
 * and shows the server's translated refusal next to itself.
 */
import { zodResolver } from "@hookform/resolvers/zod";
import { Form, Link, useActionData, useNavigation, useParams, useSubmit } from "@remix-run/react";
import { useState, type ReactNode } from "react";
import { useForm } from "react-hook-form";
import { z } from "zod";
import { FormError, TextAreaField } from "~/components/form";
import { useErrorText, useLocale, useT } from "~/i18n/react";
import { textOf } from "~/lib/assessment/answers";
import { reasonSchema } from "~/lib/validation";
import { ConfirmSubmit } from "./confirm-dialog";
import type { MessageKey } from "~/i18n";
import { DismissObjectionAction, RectificationAction } from "./review-check-actions";
import { ReviewReportAction, type SheetGapsView } from "./review-report-action";
import { actionLabel, BlockedReasons } from "./workflow-ui";

export type WorkflowActionResult = {
  ok: boolean;
  intent: string;
  done?: string;
  errors?: Record<string, string>;
  reasons?: string[];
  /** REPORT_REVIEW refused: what the review sheet lacks (ids). */
  missing?: { unscored: string[]; naWithoutReason: string[]; unconfirmed: string[] };
};

export type OfferedLevel = {
  key: string;
  name: { zh: string; en?: string };
  minScore: number;
  blocked: string[];
};
export type ReviewBodyChoice = { id: string; name: string };

export type ActionPanelProps = {
  version: number;
  actions: Array<{ type: string; blocked: string[] }>;
  offeredLevels: OfferedLevel[];
  appliedLevel: string | null;
  /** Active review bodies (ASSIGN_REVIEW_BODY); the body's admin forms the panel on its own page. */
  reviewBodyOptions?: ReviewBodyChoice[];
  currentReviewBodyId?: string | null;
  reviewersRequired: number;
  facts: {
    score: number | null;
    eligibleLevelName: { zh: string; en?: string } | null;
    missingEvidence: number;
    unansweredCount: number;
    unanswered: Array<{ itemId: string; elementId: string }>;
    /** Name of the published credit record that bars submission (Step 6). */
    creditListing?: string | null;
  } | null;
  suggestedLevel?: string | null;
  /** Deducted items the reviewer may ask to rectify, and how many re-opened ones wait (Step 10). */
  rectification?: {
    options: Array<{ itemId: string; title: { zh: string; en?: string } }>;
    reopenedCount: number;
  };
  /** The consolidated review sheet (review page only): the level its score gives and what is missing. */
  reviewSheet?: { scoreLevel: string | null; complete: boolean; gaps: SheetGapsView };
  /** Form action URL; the current route when omitted. */
  action?: string;
};

export function useResultFor(intent: string): WorkflowActionResult | null {
  const data = useActionData<WorkflowActionResult>();
  return data && typeof data === "object" && "intent" in data && data.intent === intent
    ? data
    : null;
}

export function Shell({
  type,
  blocked,
  children,
}: {
  type: string;
  blocked: string[];
  children: ReactNode;
}) {
  const result = useResultFor(type);
  return (
    <div
      className="space-y-2 border-t border-slate-100 pt-4 first:border-t-0 first:pt-0"
      data-action={type}
    >
      <BlockedReasons reasons={blocked} />
      {result && !result.ok ? (
        <>
          <FormError error={result.errors?._form} />
          {result.reasons && result.reasons.length > 0 && !result.errors ? (
            <BlockedReasons reasons={result.reasons} />
          ) : null}
        </>
      ) : null}
      {children}
    </div>
  );
}

const DANGER = new Set([
  "RETURN",
  "REJECT",
  "WITHDRAW",
  "DECLINE_LOWER_LEVEL",
  "ORGANIZER_RETURN_REPORT",
  "UPHOLD_OBJECTION",
  "SEND_FULL_PATH",
]);

function SimpleAction({
  type,
  blocked,
  version,
  action,
}: {
  type: string;
  blocked: string[];
  version: number;
  action?: string;
}) {
  const t = useT();
  const navigation = useNavigation();
  return (
    <Shell type={type} blocked={blocked}>
      <Form method="post" action={action}>
        <input type="hidden" name="intent" value={type} />
        <input type="hidden" name="version" value={version} />
        {type === "CONFIRM_FAST_TRACK" ? (
          <ConfirmSubmit
            label={actionLabel(t, type)}
            title={t("renewal.confirm.title")}
            consequences={[t("renewal.confirm.notice"), t("renewal.confirm.notify")]}
            confirmLabel={t("renewal.confirm.confirm")}
            disabled={navigation.state !== "idle" || blocked.length > 0}
            testId="confirm-fast-track"
          />
        ) : type === "CERTIFY" ? (
          <ConfirmSubmit
            label={actionLabel(t, type)}
            title={t("confirm.certify.title")}
            consequences={[t("confirm.certify.certificate"), t("confirm.certify.notify")]}
            confirmLabel={t("confirm.certify.confirm")}
            disabled={navigation.state !== "idle"}
            testId="certify"
          />
        ) : (
          <button
            type="submit"
            className={DANGER.has(type) ? "btn-secondary" : "btn-primary"}
            disabled={navigation.state !== "idle"}
          >
            {actionLabel(t, type)}
          </button>
        )}
      </Form>
    </Shell>
  );
}

const reasonForm = z.object({ reason: reasonSchema });

export function ReasonAction({
  type,
  blocked,
  version,
  label,
  action,
}: {
  type: string;
  blocked: string[];
  version: number;
  label: MessageKey;
  action?: string;
}) {
  const t = useT();
  const submit = useSubmit();
  const navigation = useNavigation();
  const result = useResultFor(type);
  const {
    register,
    handleSubmit,
    formState: { errors },
  } = useForm({ resolver: zodResolver(reasonForm), defaultValues: { reason: "" } });
  return (
    <Shell type={type} blocked={blocked}>
      <Form
        method="post"
        action={action}
        noValidate
        className="space-y-2"
        onSubmit={(event) => {
          const target = event.currentTarget;
          void handleSubmit(() => submit(target))(event);
        }}
      >
        <input type="hidden" name="intent" value={type} />
        <input type="hidden" name="version" value={version} />
        <TextAreaField
          label={t(label)}
          rows={3}
          error={errors.reason?.message ?? result?.errors?.reason}
          {...register("reason")}
        />
        <button
          type="submit"
          className={DANGER.has(type) ? "btn-danger" : "btn-primary"}
          disabled={navigation.state !== "idle"}
        >
          {actionLabel(t, type)}
        </button>
      </Form>
    </Shell>
  );
}

function SubmitAction({
  blocked,
  version,
  offeredLevels,
  appliedLevel,
  facts,
  action,
}: {
  blocked: string[];
  version: number;
  offeredLevels: OfferedLevel[];
  appliedLevel: string | null;
  facts: ActionPanelProps["facts"];
  action?: string;
}) {
  const t = useT();
  const locale = useLocale();
  const errorText = useErrorText();
  const navigation = useNavigation();
  const result = useResultFor("SUBMIT");
  const initial =
    offeredLevels.find((l) => l.key === appliedLevel && l.blocked.length === 0) ??
    offeredLevels.find((l) => l.blocked.length === 0) ??
    offeredLevels[0];
  const [level, setLevel] = useState(initial?.key ?? "");
  const chosen = offeredLevels.find((l) => l.key === level);
  const fieldError = errorText(result?.errors?.appliedLevel);
  return (
    <Shell type="SUBMIT" blocked={[...blocked, ...(chosen?.blocked ?? [])]}>
      {facts ? (
        <p className="text-sm text-slate-600" data-testid="submit-facts">
          {t("workflow.app.facts", {
            score: facts.score === null ? "—" : facts.score.toFixed(1),
            level: facts.eligibleLevelName
              ? textOf(facts.eligibleLevelName, locale)
              : t("workflow.app.noLevel"),
            missing: facts.missingEvidence,
          })}
        </p>
      ) : null}
      {facts && facts.unansweredCount > 0 ? <UnansweredItems facts={facts} /> : null}
      {facts?.creditListing ? (
        <p className="text-sm font-medium text-red-700" role="alert" data-testid="submit-credit-listed">
          {t("credit.errors.listedCannotStart", { name: facts.creditListing })}
        </p>
      ) : null}
      <Form method="post" action={action} className="space-y-2">
        <input type="hidden" name="intent" value="SUBMIT" />
        <input type="hidden" name="version" value={version} />
        <div>
          <label htmlFor="applied-level" className="label">
            {t("workflow.form.appliedLevel")}
          </label>
          <select
            id="applied-level"
            name="appliedLevel"
            className="input max-w-sm"
            value={level}
            onChange={(e) => setLevel(e.target.value)}
            aria-invalid={fieldError ? true : undefined}
          >
            {offeredLevels.map((l) => (
              <option key={l.key} value={l.key}>
                {t(
                  l.blocked.length > 0 ? "workflow.form.levelBlocked" : "workflow.form.levelOption",
                  { name: textOf(l.name, locale), min: l.minScore },
                )}
              </option>
            ))}
          </select>
          {fieldError ? (
            <p className="field-error" role="alert">
              {fieldError}
            </p>
          ) : null}
        </div>
        <p className="text-xs text-slate-500">{t("workflow.app.lockedNote")}</p>
        <ConfirmSubmit
          label={actionLabel(t, "SUBMIT")}
          title={t("confirm.submit.title")}
          consequences={[
            t("confirm.submit.level", { level: chosen ? textOf(chosen.name, locale) : "—" }),
            t("confirm.submit.locked"),
            t("confirm.submit.notify"),
          ]}
          confirmLabel={t("confirm.submit.confirm")}
          disabled={navigation.state !== "idle"}
          testId="submit"
        />
      </Form>
    </Shell>
  );
}

/** The unanswered items that keep the application from being submitted, each linked to its page. */
function UnansweredItems({ facts }: { facts: NonNullable<ActionPanelProps["facts"]> }) {
  const t = useT();
  const params = useParams();
  const base = `/t/${params.slug ?? ""}/assessments/${params.id ?? ""}`;
  const more = facts.unansweredCount - facts.unanswered.length;
  return (
    <div className="text-sm text-red-700" role="alert" data-testid="submit-unanswered">
      <p>{t("workflow.app.unansweredTitle", { count: facts.unansweredCount })}</p>
      <ul className="mt-1 list-disc pl-6">
        {facts.unanswered.map((u) => (
          <li key={u.itemId}>
            <Link to={`${base}/${u.elementId}?item=${encodeURIComponent(u.itemId)}#item-${u.itemId}`} className="font-mono underline">
              {u.itemId}
            </Link>
          </li>
        ))}
      </ul>
      {more > 0 ? (
        <p>
          <Link to={`${base}/summary`} className="underline">
            {t("workflow.app.unansweredMore", { count: more })}
          </Link>
        </p>
      ) : null}
    </div>
  );
}

function ReviewBodyAction({
  blocked,
  version,
  options,
  current,
  action,
}: {
  blocked: string[];
  version: number;
  options: ReviewBodyChoice[];
  current: string | null;
  action?: string;
}) {
  const t = useT();
  const errorText = useErrorText();
  const navigation = useNavigation();
  const result = useResultFor("ASSIGN_REVIEW_BODY");
  const fieldError = errorText(result?.errors?.reviewBodyId);
  return (
    <Shell type="ASSIGN_REVIEW_BODY" blocked={blocked}>
      <Form method="post" action={action} className="space-y-2">
        <input type="hidden" name="intent" value="ASSIGN_REVIEW_BODY" />
        <input type="hidden" name="version" value={version} />
        <label className="label" htmlFor="reviewBodyId">
          {t("workflow.form.reviewBody")}
        </label>
        {options.length === 0 ? (
          <p className="text-sm text-slate-500">{t("workflow.form.reviewBodyNone")}</p>
        ) : (
          <select
            id="reviewBodyId"
            name="reviewBodyId"
            className="input"
            defaultValue={current ?? options[0]?.id}
            aria-invalid={fieldError ? true : undefined}
            data-testid="review-body-options"
          >
            {options.map((o) => (
              <option key={o.id} value={o.id}>
                {o.name}
              </option>
            ))}
          </select>
        )}
        {fieldError ? (
          <p className="field-error" role="alert">
            {fieldError}
          </p>
        ) : null}
        <button
          type="submit"
          className="btn-primary"
          disabled={navigation.state !== "idle" || options.length === 0}
        >
          {actionLabel(t, "ASSIGN_REVIEW_BODY")}
        </button>
      </Form>
    </Shell>
  );
}

/** The panel is formed on the review body's panel page (expert list, workload, lead). */
function PanelLink({ blocked }: { blocked: string[] }) {
  const t = useT();
  const params = useParams();
  return (
    <Shell type="ASSIGN_REVIEWERS" blocked={blocked}>
      <Link className="btn-primary" to={`/t/${params.slug ?? ""}/panels/${params.id ?? ""}`}>
        {t("workflow.app.openPanel")}
      </Link>
    </Shell>
  );
}

export function ActionPanel(props: ActionPanelProps) {
  const t = useT();
  const { version, action } = props;
  if (props.actions.length === 0)
    return <p className="text-sm text-slate-500">{t("workflow.app.noActions")}</p>;
  return (
    <div className="space-y-4" data-testid="workflow-actions">
      {props.actions.map(({ type, blocked }) => {
        switch (type) {
          case "SUBMIT":
            return (
              <SubmitAction
                key={type}
                blocked={blocked}
                version={version}
                offeredLevels={props.offeredLevels}
                appliedLevel={props.appliedLevel}
                facts={props.facts}
                action={action}
              />
            );
          case "RETURN":
            return (
              <ReasonAction
                key={type}
                type={type}
                blocked={blocked}
                version={version}
                label="workflow.form.returnReason"
                action={action}
              />
            );
          case "SEND_FULL_PATH":
            return (
              <ReasonAction
                key={type}
                type={type}
                blocked={blocked}
                version={version}
                label="renewal.form.fullPathReason"
                action={action}
              />
            );
          case "REJECT":
            return (
              <ReasonAction
                key={type}
                type={type}
                blocked={blocked}
                version={version}
                label="workflow.form.rejectReason"
                action={action}
              />
            );
          case "ASSIGN_REVIEW_BODY":
            return (
              <ReviewBodyAction
                key={type}
                blocked={blocked}
                version={version}
                options={props.reviewBodyOptions ?? []}
                current={props.currentReviewBodyId ?? null}
                action={action}
              />
            );
          case "ASSIGN_REVIEWERS":
            return <PanelLink key={type} blocked={blocked} />;
          case "REQUEST_RECTIFICATION":
            return (
              <RectificationAction
                key={type}
                blocked={blocked}
                version={version}
                action={action}
                options={props.rectification?.options ?? []}
                reopenedCount={props.rectification?.reopenedCount ?? 0}
              />
            );
          case "UPHOLD_OBJECTION":
          case "ORGANIZER_RETURN_REPORT":
            return (
              <ReasonAction
                key={type}
                type={type}
                blocked={blocked}
                version={version}
                label={
                  type === "UPHOLD_OBJECTION"
                    ? "checks.form.upholdReason"
                    : "checks.form.reportReturnReason"
                }
                action={action}
              />
            );
          case "DISMISS_OBJECTION":
            return (
              <DismissObjectionAction key={type} blocked={blocked} version={version} action={action} />
            );
          case "REPORT_REVIEW":
            return (
              <ReviewReportAction
                key={type}
                blocked={blocked}
                version={version}
                offeredLevels={props.offeredLevels}
                appliedLevel={props.appliedLevel}
                scoreLevel={props.reviewSheet?.scoreLevel}
                complete={props.reviewSheet?.complete ?? false}
                gaps={props.reviewSheet?.gaps}
                action={action}
              />
            );
          default:
            return (
              <SimpleAction
                key={type}
                type={type}
                blocked={blocked}
                version={version}
                action={action}
              />
            );
        }
      })}
    </div>
  );
}
