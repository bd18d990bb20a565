/**
 * The draft editor. react-hook-form holds the whole rubric (the values are the rubric itself, so
 * the same `validateRubric` the server runs checks them before anything is sent); field arrays add
 * and remove items and deduction rules. Elements fold away, so a 135-item rubric stays usable:
 * folded inputs stay mounted (hidden), which keeps their values in the form.
 *
 * Validation problems are held as a list of issues (from the browser check or from the server's
 * 400 answer) and shown twice: all of them at the top, and each one next to its item or level.
 */
import { memo, useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  useFieldArray,
  useForm,
  useWatch,
  type Control,
  type UseFormGetValues,
  type UseFormRegister,
  type UseFormSetValue,
} from "react-hook-form";
import type { MessageKey } from "~/i18n";
import { useLocale, useT } from "~/i18n/react";
import { LabeledInput } from "./labeled-input";
import { RubricIdentityFields } from "./rubric-identity-fields";
import {
  describeIssue,
  issueTarget,
  parseRubricIssues,
  type RubricIssue,
} from "~/lib/rubric/issues";
import { pickText } from "~/lib/rubric/localize";
import { FAIL_CAP_NONE, validateRubric, type Rubric, type RubricItem } from "~/lib/rubric/schema";
import { toScaledInt } from "~/lib/scoring/decimal";

const LABEL = "draft";
const NO_ISSUES: RubricIssue[] = [];

/** Σ item points in hundredths, or null while some value is not a valid number of points. */
function sumHundredths(
  elements:
    | ReadonlyArray<{
        subElements?: ReadonlyArray<{ items?: ReadonlyArray<{ points?: unknown }> }>;
      }>
    | undefined,
): number | null {
  let sum = 0;
  for (const el of elements ?? []) {
    for (const sub of el.subElements ?? []) {
      for (const item of sub.items ?? []) {
        const h = typeof item.points === "number" ? toScaledInt(item.points, 100) : null;
        if (h === null || h <= 0) return null;
        sum += h;
      }
    }
  }
  return sum;
}

/** totalPoints follows the items: the editor never asks for it. */
function validateDraft(
  values: Rubric,
): { ok: true; value: Rubric } | { ok: false; issues: RubricIssue[] } {
  const sum = sumHundredths(values.elements);
  const candidate = sum === null ? values : { ...values, totalPoints: sum / 100 };
  const result = validateRubric(candidate, LABEL);
  if (result.ok) return result;
  let issues = parseRubricIssues(result.errors, LABEL);
  // While a points value is broken the total cannot be computed; its own error says what to fix.
  if (sum === null) issues = issues.filter((i) => i.name !== "totalPoints");
  return { ok: false, issues };
}

function nextItemId(values: Rubric, ei: number, si: number): string {
  const sub = values.elements[ei]?.subElements[si];
  const prefix = `${sub?.id ?? "X"}.`;
  const used = new Set<string>();
  for (const el of values.elements) {
    used.add(el.id);
    for (const s of el.subElements) {
      used.add(s.id);
      for (const item of s.items) used.add(item.id);
    }
  }
  let n = (sub?.items.length ?? 0) + 1;
  while (used.has(`${prefix}${n}`)) n++;
  return `${prefix}${n}`;
}

function nextRuleId(rules: ReadonlyArray<{ id: string }>): string {
  const used = new Set(rules.map((r) => r.id));
  for (const c of "abcdefghijklmnopqrstuvwxyz") if (!used.has(c)) return c;
  let n = 1;
  while (used.has(`r${n}`)) n++;
  return `r${n}`;
}

function useIssueText(): (issue: RubricIssue) => string {
  const t = useT();
  return (issue) => {
    const described = describeIssue(issue.message);
    return described ? t(described.key, described.params) : issue.message;
  };
}

const FIELD_LABELS: Record<string, MessageKey> = {
  points: "rubric.item.points",
  "text.zh": "rubric.item.text",
  tags: "rubric.item.tags",
  id: "rubric.item.id",
  minScore: "rubric.detail.minScore",
  "name.zh": "rubric.editor.levelName",
};

function fieldLabel(field: string, t: ReturnType<typeof useT>): string {
  const rule = /^deductionRules\.(\d+)(?:\.(.*))?$/.exec(field);
  if (rule) {
    const sub =
      rule[2] === "per"
        ? t("rubric.rule.perLabel")
        : rule[2] === "cap"
          ? t("rubric.rule.capLabel")
          : rule[2] === "text.zh"
            ? t("rubric.rule.textLabel")
            : "";
    return `${t("rubric.rule.label", { n: Number(rule[1]) + 1 })}${sub ? ` · ${sub}` : ""}`;
  }
  const key = FIELD_LABELS[field];
  return key ? t(key) : field;
}

type Register = UseFormRegister<Rubric>;

type ItemProps = {
  control: Control<Rubric>;
  register: Register;
  setValue: UseFormSetValue<Rubric>;
  ei: number;
  si: number;
  ii: number;
  itemId: string;
  isNew: boolean;
  issues: RubricIssue[];
  onRemove: (ii: number) => void;
};

function hasIssue(issues: RubricIssue[], field: string): boolean | undefined {
  return issues.some((i) => issueTarget(i.segments).field.startsWith(field)) || undefined;
}

const ItemEditor = memo(function ItemEditor({
  control,
  register,
  setValue,
  ei,
  si,
  ii,
  itemId,
  isNew,
  issues,
  onRemove,
}: ItemProps) {
  const t = useT();
  const issueText = useIssueText();
  const base = `elements.${ei}.subElements.${si}.items.${ii}` as const;
  const rules = useFieldArray({ control, name: `${base}.deductionRules`, keyName: "fieldKey" });
  const perValues = useWatch({ control, name: `${base}.deductionRules` });
  return (
    <li
      className={`rounded-md border p-3 ${issues.length > 0 ? "border-red-300 bg-red-50/40" : "border-slate-200 bg-white"}`}
      data-testid={`item-${itemId}`}
      id={`item-${itemId}`}
    >
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-mono text-xs text-slate-500">{itemId}</span>
        {isNew ? (
          <span className="badge bg-emerald-100 text-emerald-800">{t("rubric.item.new")}</span>
        ) : null}
        <button
          type="button"
          className="ml-auto text-xs text-red-700 hover:underline"
          onClick={() => onRemove(ii)}
          data-testid={`remove-${itemId}`}
        >
          {t("rubric.item.remove")}
        </button>
      </div>
      {issues.length > 0 ? (
        <ul
          className="mt-2 space-y-0.5 text-sm text-red-700"
          role="alert"
          data-testid={`item-issues-${itemId}`}
        >
          {issues.map((issue, k) => (
            <li key={k}>
              {fieldLabel(issueTarget(issue.segments).field, t)}：{issueText(issue)}
            </li>
          ))}
        </ul>
      ) : null}
      <div className="mt-2 grid gap-3 md:grid-cols-[1fr_8rem]">
        <label className="block">
          <span className="label">{t("rubric.item.text")}</span>
          <textarea
            rows={2}
            className="input"
            aria-invalid={hasIssue(issues, "text")}
            {...register(`${base}.text.zh`)}
          />
        </label>
        <LabeledInput
          label={t("rubric.item.points")}
          type="number"
          step="0.01"
          min="0"
          aria-invalid={hasIssue(issues, "points")}
          data-testid={`points-${itemId}`}
          {...register(`${base}.points`, { valueAsNumber: true })}
        />
      </div>
      <div className="mt-2 flex flex-wrap items-center gap-x-4 gap-y-2 text-sm">
        {(["naAllowed", "evidenceRequired", "veto"] as const).map((flag) => (
          <label key={flag} className="inline-flex items-center gap-1.5">
            <input
              type="checkbox"
              className="h-4 w-4 rounded border-slate-300"
              {...register(`${base}.${flag}`)}
            />
            {t(`rubric.item.${flag}`)}
          </label>
        ))}
        <label className="inline-flex min-w-[16rem] flex-1 items-center gap-2">
          <span className="whitespace-nowrap text-slate-600">{t("rubric.item.tags")}</span>
          <input
            type="text"
            className="input py-1"
            placeholder={t("rubric.item.tagsHint")}
            {...register(`${base}.tags`, {
              setValueAs: (v: unknown) =>
                typeof v === "string" ? v.split(/[\s,，、]+/).filter(Boolean) : v,
            })}
          />
        </label>
      </div>
      <fieldset className="mt-3">
        <legend className="text-xs font-medium text-slate-600">{t("rubric.item.rules")}</legend>
        <ul className="mt-1 space-y-2">
          {rules.fields.map((rule, ri) => {
            const per = perValues?.[ri]?.per;
            const mode = per === "all" ? "all" : "per";
            const ruleBase = `${base}.deductionRules.${ri}` as const;
            return (
              <li
                key={rule.fieldKey}
                className="grid gap-2 rounded border border-slate-100 bg-slate-50 p-2 md:grid-cols-[2rem_1fr_9rem_6rem_6rem_auto]"
              >
                <span className="self-center font-mono text-xs text-slate-500">{rule.id}</span>
                <input
                  type="text"
                  className="input py-1"
                  aria-label={t("rubric.rule.textLabel")}
                  aria-invalid={hasIssue(issues, `deductionRules.${ri}.text`)}
                  {...register(`${ruleBase}.text.zh`)}
                />
                <select
                  className="input py-1"
                  aria-label={t("rubric.rule.mode")}
                  value={mode}
                  onChange={(e) => {
                    if (e.target.value === "all") {
                      setValue(`${ruleBase}.per`, "all", { shouldDirty: true });
                      setValue(`${ruleBase}.cap`, undefined, { shouldDirty: true });
                    } else setValue(`${ruleBase}.per`, 1, { shouldDirty: true });
                  }}
                >
                  <option value="all">{t("rubric.rule.modeAll")}</option>
                  <option value="per">{t("rubric.rule.modePer")}</option>
                </select>
                {mode === "per" ? (
                  <>
                    {/* Visible labels: a placeholder disappears once a number is typed. */}
                    <LabeledInput
                      compact
                      label={t("rubric.rule.perLabel")}
                      type="number"
                      step="0.01"
                      min="0"
                      aria-invalid={hasIssue(issues, `deductionRules.${ri}.per`)}
                      {...register(`${ruleBase}.per`, { valueAsNumber: true })}
                    />
                    <LabeledInput
                      compact
                      label={t("rubric.rule.capLabel")}
                      type="number"
                      step="0.01"
                      min="0"
                      aria-invalid={hasIssue(issues, `deductionRules.${ri}.cap`)}
                      {...register(`${ruleBase}.cap`, {
                        setValueAs: (v: unknown) =>
                          v === "" || v === undefined || v === null ? undefined : Number(v),
                      })}
                    />
                  </>
                ) : (
                  <span className="self-center text-xs text-slate-500 md:col-span-2">
                    {t("rubric.rule.all")}
                  </span>
                )}
                <button
                  type="button"
                  className="justify-self-start text-xs text-red-700 hover:underline"
                  onClick={() => rules.remove(ri)}
                >
                  {t("rubric.rule.remove")}
                </button>
              </li>
            );
          })}
        </ul>
        <button
          type="button"
          className="mt-2 text-xs text-brand-700 hover:underline"
          onClick={() =>
            rules.append({ id: nextRuleId(perValues ?? []), text: { zh: "" }, per: 1 })
          }
        >
          + {t("rubric.rule.add")}
        </button>
      </fieldset>
    </li>
  );
});

type IssueIndex = Map<string, RubricIssue[]>;

function SubElementEditor({
  control,
  register,
  setValue,
  getValues,
  ei,
  si,
  originalIds,
  issuesByItem,
  subIssues,
}: {
  control: Control<Rubric>;
  register: Register;
  setValue: UseFormSetValue<Rubric>;
  getValues: UseFormGetValues<Rubric>;
  ei: number;
  si: number;
  originalIds: ReadonlySet<string>;
  issuesByItem: IssueIndex;
  subIssues: RubricIssue[];
}) {
  const t = useT();
  const locale = useLocale();
  const issueText = useIssueText();
  const name = `elements.${ei}.subElements.${si}.items` as const;
  const items = useFieldArray({ control, name, keyName: "fieldKey" });
  const sub = getValues(`elements.${ei}.subElements.${si}`);
  const { remove } = items;
  const onRemove = useCallback((ii: number) => remove(ii), [remove]);
  return (
    <section className="mt-4" data-sub={sub.id}>
      <h3 className="flex flex-wrap items-baseline gap-2 border-b border-slate-200 pb-1 text-sm font-medium text-slate-800">
        <span className="font-mono text-xs text-slate-500">{sub.id}</span>
        {pickText(sub.title, locale)}
      </h3>
      <LabeledInput
        labelClassName="mt-2 block max-w-xl"
        label={t("rubric.editor.subTitle")}
        type="text"
        data-testid={`sub-title-${sub.id}`}
        {...register(`elements.${ei}.subElements.${si}.title.zh`)}
      />
      {subIssues.length > 0 ? (
        <ul className="mt-1 text-sm text-red-700" role="alert">
          {subIssues.map((issue, k) => (
            <li key={k}>{issueText(issue)}</li>
          ))}
        </ul>
      ) : null}
      <ul className="mt-2 space-y-2">
        {items.fields.map((item, ii) => (
          <ItemEditor
            key={item.fieldKey}
            control={control}
            register={register}
            setValue={setValue}
            ei={ei}
            si={si}
            ii={ii}
            itemId={item.id}
            isNew={!originalIds.has(item.id)}
            issues={issuesByItem.get(`${ei}.${si}.${ii}`) ?? NO_ISSUES}
            onRemove={onRemove}
          />
        ))}
      </ul>
      <button
        type="button"
        className="btn-secondary mt-2 py-1 text-xs"
        data-testid={`add-item-${sub.id}`}
        onClick={() => {
          const blank: RubricItem = {
            id: nextItemId(getValues(), ei, si),
            text: { zh: "" },
            points: 1,
            deductionRules: [],
            naAllowed: false,
            evidenceRequired: false,
            veto: false,
            tags: [],
          };
          items.append(blank);
        }}
      >
        + {t("rubric.item.add")}
      </button>
    </section>
  );
}

function ElementSummary({ control, ei }: { control: Control<Rubric>; ei: number }) {
  const t = useT();
  const el = useWatch({ control, name: `elements.${ei}` });
  const sum = sumHundredths([el]);
  const count = el.subElements.reduce((n, s) => n + s.items.length, 0);
  return (
    <span className="text-sm text-slate-500">
      {t("rubric.group.summary", { count, points: sum === null ? "—" : sum / 100 })}
    </span>
  );
}

function TotalBar({
  control,
  parentTotal,
}: {
  control: Control<Rubric>;
  parentTotal: number | null;
}) {
  const t = useT();
  const elements = useWatch({ control, name: "elements" });
  const sum = sumHundredths(elements);
  return (
    <p className="text-sm text-slate-700" data-testid="total-points">
      {t("rubric.editor.total", { total: sum === null ? "—" : sum / 100 })}
      {parentTotal !== null ? (
        <span className="ml-2 text-slate-500">
          {t("rubric.editor.parentTotal", { total: parentTotal })}
        </span>
      ) : null}
    </p>
  );
}

export type EditorSubmit = (rubric: Rubric) => void;

export function RubricEditor({
  rubric,
  revision,
  parentTotal,
  serverIssues,
  submitting,
  onSave,
  onDirtyChange,
}: {
  rubric: Rubric;
  revision: number;
  parentTotal: number | null;
  serverIssues: RubricIssue[] | null;
  submitting: boolean;
  onSave: EditorSubmit;
  onDirtyChange?: (dirty: boolean) => void;
}) {
  const t = useT();
  const locale = useLocale();
  const issueText = useIssueText();
  const { control, register, setValue, getValues, reset, watch } = useForm<Rubric>({
    defaultValues: rubric,
  });
  const [issues, setIssues] = useState<RubricIssue[]>([]);
  const [open, setOpen] = useState<Set<number>>(() => new Set());
  const summaryRef = useRef<HTMLDivElement>(null);
  const originalIds = useMemo(
    () =>
      new Set(
        rubric.elements.flatMap((e) => e.subElements.flatMap((s) => s.items.map((i) => i.id))),
      ),
    [rubric],
  );

  // A saved revision comes back from the loader: it is the new baseline. Keyed on the revision
  // only, so a mere revalidation (same revision) never throws away what the user typed.
  const baselineRevision = useRef(revision);
  // "Unsaved changes" = the user changed something since the last load or save. react-hook-form's
  // isDirty stayed true after a save (fields without a stored value, e.g. an empty cap, read back
  // as present-but-undefined after the reset), so the editor counts edits itself.
  const [edited, setEdited] = useState(false);
  useEffect(() => {
    if (baselineRevision.current === revision) return;
    baselineRevision.current = revision;
    reset(rubric);
    setIssues([]);
    setEdited(false);
  }, [revision, rubric, reset]);
  useEffect(() => {
    const subscription = watch((_values, { name }) => {
      if (name) setEdited(true);
    });
    return () => subscription.unsubscribe();
  }, [watch]);

  useEffect(() => {
    if (serverIssues && serverIssues.length > 0) showIssues(serverIssues);
  }, [serverIssues]);

  const isDirty = edited;
  useEffect(() => onDirtyChange?.(isDirty), [isDirty, onDirtyChange]);

  // Once problems are on screen, re-check as the user edits so fixed ones disappear.
  const hasIssues = issues.length > 0;
  useEffect(() => {
    if (!hasIssues) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const subscription = watch(() => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        const result = validateDraft(getValues());
        setIssues(result.ok ? [] : result.issues);
      }, 250);
    });
    return () => {
      clearTimeout(timer);
      subscription.unsubscribe();
    };
  }, [hasIssues, watch, getValues]);

  function showIssues(list: RubricIssue[]) {
    setIssues(list);
    setOpen((prev) => {
      const next = new Set(prev);
      for (const issue of list) {
        const target = issueTarget(issue.segments);
        if (target.kind === "item" || target.kind === "sub" || target.kind === "element")
          next.add(target.element);
      }
      return next;
    });
    summaryRef.current?.scrollIntoView({ block: "start" });
  }

  // Everything not tied to an item, sub-element or level is only listed at the top.
  const { issuesByItem, issuesBySub, issuesByLevel } = useMemo(() => {
    const byItem: IssueIndex = new Map();
    const bySub: IssueIndex = new Map();
    const byLevel: IssueIndex = new Map();
    const add = (map: IssueIndex, key: string, issue: RubricIssue) =>
      map.set(key, [...(map.get(key) ?? []), issue]);
    for (const issue of issues) {
      const target = issueTarget(issue.segments);
      if (target.kind === "item")
        add(byItem, `${target.element}.${target.sub}.${target.item}`, issue);
      else if (target.kind === "sub") add(bySub, `${target.element}.${target.sub}`, issue);
      else if (target.kind === "level") add(byLevel, String(target.level), issue);
    }
    return { issuesByItem: byItem, issuesBySub: bySub, issuesByLevel: byLevel };
  }, [issues]);

  const issueWhere = (issue: RubricIssue): string => {
    const target = issueTarget(issue.segments);
    const values = getValues();
    if (target.kind === "item") {
      const id =
        values.elements[target.element]?.subElements[target.sub]?.items[target.item]?.id ??
        issue.path;
      return `${id} · ${fieldLabel(target.field, t)}`;
    }
    if (target.kind === "sub")
      return values.elements[target.element]?.subElements[target.sub]?.id ?? issue.path;
    if (target.kind === "element") return values.elements[target.element]?.id ?? issue.path;
    if (target.kind === "level") {
      const level = values.levels[target.level];
      return `${level ? pickText(level.name, locale) : issue.path} · ${fieldLabel(target.field, t)}`;
    }
    return target.field === "totalPoints"
      ? t("rubric.detail.totals")
      : issue.path || t("rubric.editor.whole");
  };

  const anchorFor = (issue: RubricIssue): string | null => {
    const target = issueTarget(issue.segments);
    if (target.kind !== "item") return null;
    const id =
      getValues().elements[target.element]?.subElements[target.sub]?.items[target.item]?.id;
    return id ? `#item-${id}` : null;
  };

  const save = () => {
    const result = validateDraft(getValues());
    if (!result.ok) {
      showIssues(result.issues);
      return;
    }
    setIssues([]);
    onSave(result.value);
  };

  const elements = rubric.elements;
  const levels = rubric.levels;
  const allOpen = open.size === elements.length;

  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        save();
      }}
      data-testid="rubric-editor"
      data-revision={revision}
    >
      <div
        ref={summaryRef}
        className="sticky top-0 z-10 -mx-4 mb-4 border-b border-slate-200 bg-slate-50/95 px-4 py-3 backdrop-blur"
      >
        <div className="flex flex-wrap items-center gap-3">
          <TotalBar control={control} parentTotal={parentTotal} />
          {isDirty ? (
            <span className="badge bg-amber-100 text-amber-800" data-testid="unsaved">{t("rubric.editor.unsaved")}</span>
          ) : null}
          <button
            type="button"
            className="btn-secondary ml-auto py-1 text-xs"
            onClick={() => setOpen(allOpen ? new Set() : new Set(elements.map((_, i) => i)))}
          >
            {allOpen ? t("rubric.detail.collapseAll") : t("rubric.detail.expandAll")}
          </button>
          <button
            type="submit"
            className="btn-primary py-1.5"
            disabled={submitting}
            data-testid="save-draft"
          >
            {t("rubric.editor.save")}
          </button>
        </div>
        {issues.length > 0 ? (
          <div
            role="alert"
            className="mt-3 max-h-48 overflow-auto rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800"
            data-testid="issues"
          >
            <p className="font-medium">
              {t("rubric.editor.issuesTitle", { count: issues.length })}
            </p>
            <ul className="mt-1 list-disc pl-5">
              {issues.map((issue, k) => {
                const href = anchorFor(issue);
                const text = `${issueWhere(issue)}：${issueText(issue)}`;
                return (
                  <li key={k}>
                    {href ? (
                      <a href={href} className="underline">
                        {text}
                      </a>
                    ) : (
                      text
                    )}
                  </li>
                );
              })}
            </ul>
          </div>
        ) : null}
      </div>

      <RubricIdentityFields register={register} />

      <section className="card mb-4">
        <h2 className="text-sm font-medium text-slate-700">{t("rubric.detail.levels")}</h2>
        <div className="mt-2 grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
          {levels.map((level, li) => {
            const levelIssues = issuesByLevel.get(String(li)) ?? NO_ISSUES;
            return (
              <div
                key={level.key}
                className="rounded-md border border-slate-200 p-3"
                data-testid={`level-${level.key}`}
              >
                <p className="font-mono text-xs text-slate-500">{level.key}</p>
                <div className="mt-1 grid grid-cols-2 gap-2">
                  <LabeledInput
                    label={t("rubric.editor.levelName")}
                    type="text"
                    aria-invalid={hasIssue(levelIssues, "name")}
                    {...register(`levels.${li}.name.zh`)}
                  />
                  <LabeledInput
                    label={t("rubric.detail.minScore")}
                    type="number"
                    step="0.1"
                    min="0"
                    max="100"
                    aria-invalid={hasIssue(levelIssues, "minScore")}
                    data-testid={`minScore-${level.key}`}
                    {...register(`levels.${li}.minScore`, { valueAsNumber: true })}
                  />
                </div>
                {levelIssues.length > 0 ? (
                  <ul
                    className="mt-1 text-sm text-red-700"
                    role="alert"
                    data-testid={`level-issues-${level.key}`}
                  >
                    {levelIssues.map((issue, k) => (
                      <li key={k}>{issueText(issue)}</li>
                    ))}
                  </ul>
                ) : null}
              </div>
            );
          })}
        </div>
      </section>

      {rubric.performanceConditions.length > 0 ? (
        <section className="card mb-4" data-testid="performance-conditions">
          <h2 className="text-sm font-medium text-slate-700">{t("rubric.detail.performance")}</h2>
          <ul className="mt-2 space-y-2">
            {rubric.performanceConditions.map((cond, ci) => (
              <li key={cond.id} className="grid gap-2 sm:grid-cols-[6rem_1fr_12rem]">
                <span className="pt-2 font-mono text-xs text-slate-500">{cond.id}</span>
                <LabeledInput
                  label={t("rubric.editor.conditionText")}
                  type="text"
                  {...register(`performanceConditions.${ci}.text.zh`)}
                />
                <label className="block">
                  <span className="label">{t("rubric.editor.failCap")}</span>
                  <select
                    className="input"
                    data-testid={`failCap-${cond.id}`}
                    {...register(`performanceConditions.${ci}.failCap`)}
                  >
                    <option value={FAIL_CAP_NONE}>{t("rubric.editor.failCapNone")}</option>
                    {levels.map((level) => (
                      <option key={level.key} value={level.key}>
                        {pickText(level.name, locale)} ({level.key})
                      </option>
                    ))}
                  </select>
                </label>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      <div className="space-y-3">
        {elements.map((el, ei) => {
          const isOpen = open.has(ei);
          const elementHasIssues = issues.some((i) => {
            const target = issueTarget(i.segments);
            return target.kind !== "level" && target.kind !== "rubric" && target.element === ei;
          });
          return (
            <section
              key={el.id}
              className={`card p-4 ${elementHasIssues ? "border-red-300" : ""}`}
              data-element={el.id}
            >
              <button
                type="button"
                className="flex w-full flex-wrap items-baseline gap-2 text-left"
                aria-expanded={isOpen}
                aria-controls={`element-${el.id}`}
                data-testid={`toggle-${el.id}`}
                onClick={() =>
                  setOpen((prev) => {
                    const next = new Set(prev);
                    if (next.has(ei)) next.delete(ei);
                    else next.add(ei);
                    return next;
                  })
                }
              >
                <span aria-hidden className="text-slate-500">
                  {isOpen ? "▾" : "▸"}
                </span>
                <span className="font-mono text-sm text-slate-500">{el.id}</span>
                <span className="font-semibold text-slate-900">{pickText(el.title, locale)}</span>
                <ElementSummary control={control} ei={ei} />
                {elementHasIssues ? (
                  <span className="badge bg-red-100 text-red-800">
                    {t("rubric.editor.hasIssues")}
                  </span>
                ) : null}
              </button>
              <div id={`element-${el.id}`} className={isOpen ? "" : "hidden"}>
                <LabeledInput
                  labelClassName="mt-3 block max-w-xl"
                  label={t("rubric.editor.elementTitle")}
                  type="text"
                  data-testid={`element-title-${el.id}`}
                  {...register(`elements.${ei}.title.zh`)}
                />
                {el.subElements.map((sub, si) => (
                  <SubElementEditor
                    key={sub.id}
                    control={control}
                    register={register}
                    setValue={setValue}
                    getValues={getValues}
                    ei={ei}
                    si={si}
                    originalIds={originalIds}
                    issuesByItem={issuesByItem}
                    subIssues={issuesBySub.get(`${ei}.${si}`) ?? NO_ISSUES}
                  />
                ))}
              </div>
            </section>
          );
        })}
      </div>
    </form>
  );
}
