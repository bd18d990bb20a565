/**
 * The review sheet page's parts (Step 10): the panel and its confirmations, the element list with
 * who scores what, one element's items in the wizard's own item form and autosave, and the
 * lead's split of the elements.
 */
import { Form, Link, useNavigation } from "@remix-run/react";
import { useMemo } from "react";
import { FormProvider } from "react-hook-form";
import { useLocale, useT } from "~/i18n/react";
import { itemObtained, plainAnswer, textOf } from "~/lib/assessment/answers";
import type { ReviewSheetPage } from "~/data/grading/review-sheet-page.server";
import { formatDateTime } from "~/lib/datetime";
import type { RubricItem } from "~/lib/rubric/schema";
import { ConflictDialog, describeAnswer } from "./assessment-conflict-dialog";
import { AssessmentItem } from "./assessment-item";
import { SaveStatus } from "./assessment-side-panel";
import { WizardProvider, useWizard } from "./assessment-wizard";
import { useWizardElementForm } from "./wizard-element-form";
import { WizardNotice } from "./wizard-notice";

type Page = ReviewSheetPage;

function levelText(page: Page, key: string | null, locale: string, none: string): string {
  if (key === null) return none;
  return textOf(page.levels.find((l) => l.key === key)?.name ?? { zh: key }, locale);
}

export function ReviewSheetMembers({ page }: { page: Page }) {
  const t = useT();
  const locale = useLocale();
  const navigation = useNavigation();
  const me = page.members.find((m) => m.id === page.me);
  return (
    <div className="grid gap-4 md:grid-cols-2">
      <div className="card" data-testid="sheet-score">
        <p className="text-xs text-slate-500">{t("reviewSheet.consolidated")}</p>
        <p className="text-2xl font-semibold" data-score>
          {page.summary.score === null ? "—" : page.summary.score.toFixed(1)}
        </p>
        <p className="text-xs text-slate-600">
          {t("reviewSheet.scoreLevel", { level: levelText(page, page.summary.scoreLevel, locale, t("reviewSheet.noScoreLevel")) })}
        </p>
        <p className="text-xs text-slate-500">{t("reviewSheet.progress", { scored: page.summary.answered, items: page.summary.items })}</p>
      </div>
      <div className="card space-y-2" data-testid="sheet-members">
        <h2 className="text-base font-medium">{t("reviewSheet.members.title")}</h2>
        <ul className="space-y-1 text-sm">
          {page.members.map((m) => (
            <li key={m.id} data-member={m.id} data-confirmed={m.confirmedAt ? "true" : "false"}>
              <span className="font-medium">{m.name}</span>{" "}
              <span className="text-xs text-slate-500">{t(m.lead ? "reviewSheet.lead" : "reviewSheet.member")}</span>{" "}
              {m.confirmedAt ? (
                <span className="text-xs text-emerald-700">{t("reviewSheet.members.confirmed", { at: formatDateTime(m.confirmedAt, locale) })}</span>
              ) : (
                <span className="text-xs text-amber-700">{t("reviewSheet.members.pending")}</span>
              )}
            </li>
          ))}
        </ul>
        {page.editable && me && !me.confirmedAt ? (
          <Form method="post" className="space-y-1">
            <input type="hidden" name="intent" value="confirmPart" />
            <input type="hidden" name="version" value={page.version} />
            <button type="submit" className="btn-primary" disabled={navigation.state !== "idle"} data-testid="confirm-part">
              {t("reviewSheet.confirm")}
            </button>
            <p className="text-xs text-slate-500">{t("reviewSheet.confirmHelp")}</p>
          </Form>
        ) : null}
      </div>
    </div>
  );
}

export function ReviewSheetNav({ page, base }: { page: Page; base: string }) {
  const t = useT();
  const locale = useLocale();
  const names = new Map(page.members.map((m) => [m.id, m.name]));
  return (
    <nav aria-label={t("reviewSheet.elements")} className="card p-2">
      <ul className="space-y-1 text-sm">
        {page.nav.map((el) => (
          <li key={el.id}>
            <Link
              to={`${base}?element=${encodeURIComponent(el.id)}`}
              aria-current={el.id === page.elementId ? "page" : undefined}
              className={`block rounded px-2 py-1 ${el.id === page.elementId ? "bg-brand-50 font-medium text-brand-800" : "hover:bg-slate-50"}`}
              data-element-link={el.id}
            >
              <span className="font-mono text-xs text-slate-600">{el.id}</span> {textOf(el.title, locale)}
              <span className="block text-xs text-slate-600">
                {el.ownerId === page.me ? t("reviewSheet.yourPart") : t("reviewSheet.owner", { name: names.get(el.ownerId ?? "") ?? "—" })}
                {" · "}
                {t("reviewSheet.progress", { scored: el.scored, items: el.items })}
              </span>
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}

export function ReviewSheetElement({ page, slug, user }: { page: Page; slug: string; user: { id: string; name: string } }) {
  const t = useT();
  const reviewBase = `/t/${slug}/reviews/${page.id}`;
  return (
    <WizardProvider
      init={{
        slug,
        assessmentId: page.id,
        userId: user.id,
        userName: user.name,
        rubric: page.rubric,
        weights: null,
        version: page.version,
        answers: page.answers,
        performance: [],
        accidentRecord: null,
        editors: page.editors,
        canEdit: page.canEditElement,
        endpoints: {
          save: `${reviewBase}/save`,
          fetcherAction: reviewBase,
          draftKey: `safegrade:review-sheet:${user.id}:${page.id}:${page.elementId}:${page.part}`,
        },
        warnOnLeave: t("reviewSheet.leaveWarning"),
      }}
    >
      <ElementForm page={page} slug={slug} />
      <ConflictDialog />
    </WizardProvider>
  );
}

function ElementForm({ page, slug }: { page: Page; slug: string }) {
  const t = useT();
  const locale = useLocale();
  const wizard = useWizard();
  const element = page.rubric.elements[0];
  const flat = useMemo<RubricItem[]>(() => (element ? element.subElements.flatMap((s) => s.items) : []), [element]);
  const { form, initial, indexOf, onSubmit } = useWizardElementForm(flat);
  const self = useMemo(() => new Map(page.selfAnswers.map((a) => [a.itemId, a])), [page.selfAnswers]);
  if (!element) return null;
  const owner = page.members.find((m) => m.id === page.nav.find((n) => n.id === element.id)?.ownerId);
  const base = `/t/${slug}/reviews/${page.id}`;
  // Every page of every element in order; prev/next walk it.
  const sequence = page.nav.flatMap((n) => Array.from({ length: page.pageCounts[n.id] ?? 1 }, (_, i) => ({ id: n.id, part: i + 1 })));
  const position = sequence.findIndex((p) => p.id === element.id && p.part === page.part);
  const prev = sequence[position - 1];
  const next = sequence[position + 1];
  const pageLink = (p: { id: string; part: number }) => `${base}?element=${encodeURIComponent(p.id)}${p.part > 1 ? `&part=${p.part}` : ""}`;
  const pageName = (p: { id: string; part: number }) => ((page.pageCounts[p.id] ?? 1) > 1 ? `${p.id} (${p.part}/${page.pageCounts[p.id] ?? 1})` : p.id);
  const evidenceBase = `/t/${slug}/assessments/${page.id}/evidence`;
  return (
    <FormProvider {...form}>
      <form noValidate onSubmit={onSubmit} className="space-y-4" data-element={element.id} data-part={page.part} data-testid="review-sheet">
        <header className="flex flex-wrap items-center justify-between gap-3">
          <h2 className="text-xl font-semibold text-slate-900">
            {t("assessment.wizard.elementTitle", { id: element.id, title: textOf(element.title, locale) })}
            {page.parts > 1 ? <span className="ml-2 text-sm font-normal text-slate-500">{t("reviewSheet.part", { part: page.part, parts: page.parts })}</span> : null}
          </h2>
          {page.canEditElement ? <SaveStatus /> : null}
        </header>
        <WizardNotice />
        {!page.canEditElement && page.editable ? (
          <p className="text-sm text-slate-600">{t("reviewSheet.readOnly", { name: owner?.name ?? "—" })}</p>
        ) : null}
        {flat.map((item) => {
          const selfAnswer = self.get(item.id) ?? null;
          const selfObtained = selfAnswer ? itemObtained(item, plainAnswer(selfAnswer)) : null;
          const files = page.evidence[item.id] ?? [];
          return (
            <AssessmentItem
              key={item.id}
              item={item}
              index={indexOf.get(item.id) ?? 0}
              initial={initial[indexOf.get(item.id) ?? 0]}
              evidenceSlot={
                <div className="self-answer" data-self>
                  <p>
                    {t("reviewSheet.selfAnswer", { answer: describeAnswer(t, item, selfAnswer, locale) })}
                    {selfObtained !== null ? <span className="self-score">{t("reviewSheet.selfObtained", { points: selfObtained })}</span> : null}
                  </p>
                  {files.length > 0 ? (
                    <ul className="file-links">
                      {files.map((f) => (
                        <li key={f.fileId}>
                          <a href={`${evidenceBase}/${f.fileId}?inline=1`} target="_blank" rel="noreferrer" className="text-brand-700 hover:underline">
                            {f.filename}
                          </a>
                        </li>
                      ))}
                    </ul>
                  ) : (
                    <p className="text-xs text-slate-500">{t("reviewSheet.noEvidence")}</p>
                  )}
                </div>
              }
            />
          );
        })}
        <footer className="flex flex-wrap items-center justify-between gap-3 border-t border-slate-200 pt-4">
          <span>
            {prev ? (
              <Link to={pageLink(prev)} className="btn-secondary" rel="prev">
                ← {t("reviewSheet.prev")} {pageName(prev)}
              </Link>
            ) : null}
          </span>
          <span className="flex flex-wrap gap-3">
            {wizard.canEdit ? (
              <button type="submit" className="btn-secondary" data-testid="save-now">
                {t("reviewSheet.saveNow")}
              </button>
            ) : null}
            {next ? (
              <Link to={pageLink(next)} className="btn-primary" rel="next">
                {t("reviewSheet.next")} {pageName(next)} →
              </Link>
            ) : null}
          </span>
        </footer>
      </form>
    </FormProvider>
  );
}

export function ReviewSheetSplit({ page }: { page: Page }) {
  const t = useT();
  const locale = useLocale();
  const navigation = useNavigation();
  const lead = page.members.find((m) => m.lead);
  return (
    <Form method="post" className="card space-y-3" data-testid="sheet-split">
      <h2 className="text-lg font-medium">{t("reviewSheet.split.title")}</h2>
      <p className="text-sm text-slate-600">{t("reviewSheet.split.help")}</p>
      <input type="hidden" name="intent" value="assignElements" />
      <input type="hidden" name="version" value={page.version} />
      <div className="grid gap-2 sm:grid-cols-2">
        {page.nav.map((el) => (
          <label key={el.id} className="flex items-center justify-between gap-2 text-sm">
            <span>
              <span className="mono-id">{el.id}</span> {textOf(el.title, locale)}
            </span>
            <select name={`assign.${el.id}`} defaultValue={el.ownerId === lead?.id ? "" : (el.ownerId ?? "")} className="input w-44 py-1">
              <option value="">{lead ? `${lead.name}（${t("reviewSheet.lead")}）` : "—"}</option>
              {page.members
                .filter((m) => !m.lead)
                .map((m) => (
                  <option key={m.id} value={m.id}>
                    {m.name}
                  </option>
                ))}
            </select>
          </label>
        ))}
      </div>
      <button type="submit" className="btn-secondary" disabled={navigation.state !== "idle"}>
        {t("reviewSheet.split.save")}
      </button>
    </Form>
  );
}
