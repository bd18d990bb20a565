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
import { FormError, TextAreaField, TextField } from "~/components/form";
import { useErrorText, useLocale, useT } from "~/i18n/react";
import { textOf } from "~/lib/assessment/answers";
import { reasonSchema } from "~/lib/validation";
import { MAX_RECTIFICATION_DAYS } from "~/workflows/grading.machine";
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
export type ReviewerChoice = { id: string; name: string; email: string; conflicted: boolean };

export type ActionPanelProps = {
  version: number;
  actions: Array<{ type: string; blocked: string[] }>;
  offeredLevels: OfferedLevel[];
  appliedLevel: string | null;
  reviewerOptions: ReviewerChoice[];
  currentReviewers: string[];
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
  /** The consolidated review sheet (review page only): the level its score gives and what is missing. */
  reviewSheet?: { scoreLevel: string | null; complete: boolean; gaps: SheetGapsView };
  /** Form action URL; the current route when omitted. */
  action?: string;
};

function useResultFor(intent: string): WorkflowActionResult | null {
  const data = useActionData<WorkflowActionResult>();
  return data && typeof data === "object" && "intent" in data && data.intent === intent
    ? data
    : null;
}

function Shell({
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

const DANGER = new Set(["RETURN", "REJECT", "WITHDRAW", "DECLINE_LOWER_LEVEL"]);

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
        <button
          type="submit"
          className={DANGER.has(type) ? "btn-secondary" : "btn-primary"}
          disabled={navigation.state !== "idle"}
        >
          {actionLabel(t, type)}
        </button>
      </Form>
    </Shell>
  );
}

const reasonForm = z.object({ reason: reasonSchema });

function ReasonAction({
  type,
  blocked,
  version,
  label,
  action,
}: {
  type: string;
  blocked: string[];
  version: number;
  label: "workflow.form.returnReason" | "workflow.form.rejectReason" | "workflow.form.reason";
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
        <button type="submit" className="btn-primary" disabled={navigation.state !== "idle"}>
          {actionLabel(t, "SUBMIT")}
        </button>
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
            <Link to={`${base}/${u.elementId}#item-${u.itemId}`} className="font-mono underline">
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

function AssignAction({
  blocked,
  version,
  reviewerOptions,
  currentReviewers,
  reviewersRequired,
  action,
}: {
  blocked: string[];
  version: number;
  reviewerOptions: ReviewerChoice[];
  currentReviewers: string[];
  reviewersRequired: number;
  action?: string;
}) {
  const t = useT();
  const errorText = useErrorText();
  const navigation = useNavigation();
  const result = useResultFor("ASSIGN_REVIEWERS");
  const fieldError = errorText(result?.errors?.reviewerIds);
  return (
    <Shell type="ASSIGN_REVIEWERS" blocked={blocked}>
      <Form method="post" action={action} className="space-y-2">
        <input type="hidden" name="intent" value="ASSIGN_REVIEWERS" />
        <input type="hidden" name="version" value={version} />
        <fieldset>
          <legend className="label">
            {t("workflow.form.reviewers", { count: reviewersRequired })}
          </legend>
          <ul className="space-y-1" data-testid="reviewer-options">
            {reviewerOptions.map((r) => (
              <li key={r.id}>
                <label
                  className={`flex items-center gap-2 text-sm ${r.conflicted ? "text-slate-400" : ""}`}
                >
                  <input
                    type="checkbox"
                    name="reviewerIds"
                    value={r.id}
                    defaultChecked={currentReviewers.includes(r.id) && !r.conflicted}
                    disabled={r.conflicted}
                    data-email={r.email}
                  />
                  <span>
                    {r.name} <span className="text-xs text-slate-500">{r.email}</span>
                  </span>
                  {r.conflicted ? (
                    <span className="text-xs text-amber-700">{t("workflow.form.conflicted")}</span>
                  ) : null}
                </label>
              </li>
            ))}
          </ul>
          {fieldError ? (
            <p className="field-error" role="alert">
              {fieldError}
            </p>
          ) : null}
        </fieldset>
        <button type="submit" className="btn-primary" disabled={navigation.state !== "idle"}>
          {actionLabel(t, "ASSIGN_REVIEWERS")}
        </button>
      </Form>
    </Shell>
  );
}

const rectificationForm = z.object({
  reason: reasonSchema,
  days: z.coerce.number().int().min(1).max(MAX_RECTIFICATION_DAYS),
});

function RectificationAction({
  blocked,
  version,
  action,
}: {
  blocked: string[];
  version: number;
  action?: string;
}) {
  const t = useT();
  const submit = useSubmit();
  const navigation = useNavigation();
  const result = useResultFor("REQUEST_RECTIFICATION");
  const {
    register,
    handleSubmit,
    formState: { errors },
  } = useForm({
    resolver: zodResolver(rectificationForm),
    defaultValues: { reason: "", days: 10 },
  });
  return (
    <Shell type="REQUEST_RECTIFICATION" blocked={blocked}>
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
        <input type="hidden" name="intent" value="REQUEST_RECTIFICATION" />
        <input type="hidden" name="version" value={version} />
        <TextAreaField
          label={t("workflow.form.rectificationReason")}
          rows={3}
          error={errors.reason?.message ?? result?.errors?.reason}
          {...register("reason")}
        />
        <TextField
          label={t("workflow.form.days")}
          type="number"
          min={1}
          max={MAX_RECTIFICATION_DAYS}
          className="input w-32"
          error={
            errors.days
              ? `workflow.errors.days?max=${MAX_RECTIFICATION_DAYS}`
              : result?.errors?.days
          }
          {...register("days")}
        />
        <button type="submit" className="btn-primary" disabled={navigation.state !== "idle"}>
          {actionLabel(t, "REQUEST_RECTIFICATION")}
        </button>
      </Form>
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
          case "ASSIGN_REVIEWERS":
            return (
              <AssignAction
                key={type}
                blocked={blocked}
                version={version}
                reviewerOptions={props.reviewerOptions}
                currentReviewers={props.currentReviewers}
                reviewersRequired={props.reviewersRequired}
                action={action}
              />
            );
          case "REQUEST_RECTIFICATION":
            return (
              <RectificationAction key={type} blocked={blocked} version={version} action={action} />
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
