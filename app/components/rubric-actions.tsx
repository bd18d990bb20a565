import { Form, useNavigation } from "@remix-run/react";
import { useLocale, useT } from "~/i18n/react";
import { industryLabel } from "~/lib/dashboard-tables";
import { pickText } from "~/lib/rubric/localize";
import type { PublishInfo } from "~/lib/rubric/publish-impact";

/** The dialog's account of what publishing changes (see app/data/rubric-publish-info.server.ts). */
function PublishConsequences({ info }: { info: PublishInfo }) {
  const t = useT();
  const locale = useLocale();
  const industries = info.industries.includes("*")
    ? t("rubricPublish.allIndustries")
    : info.industries.map((i) => industryLabel(i, locale)).join(locale === "en" ? ", " : "、");
  const sizes = info.sizeClasses.map((s) => t(`enterprise.size.${s}` as "enterprise.size.large")).join(locale === "en" ? ", " : "、");
  return (
    <ul className="mt-2 list-disc space-y-1 pl-4 text-slate-700" data-testid="publish-consequences">
      <li data-testid="publish-audience">{t("rubricPublish.audience", { count: info.enterpriseCount, industries, sizes })}</li>
      {info.replaces.length === 0 ? (
        <li data-testid="publish-replaces">{t("rubricPublish.replacesNothing")}</li>
      ) : (
        info.replaces.map((r) => (
          <li key={r.id} data-testid="publish-replaces" className="font-medium text-amber-800">
            {t(r.tenantOwned ? "rubricPublish.replacesOwn" : "rubricPublish.replacesSystem", { label: r.label, title: pickText(r.title, locale) })}
          </li>
        ))
      )}
      <li>{t("rubricPublish.started")}</li>
      <li>{t("rubricPublish.final")}</li>
    </ul>
  );
}

/**
 * Publishing is the one irreversible step of a draft, so it asks first. A <details> disclosure
 * rather than window.confirm: it works without JavaScript and states what publishing means.
 */
export function PublishControl({
  action,
  revision,
  info,
  blockedReason,
}: {
  action: string;
  revision: number;
  info?: PublishInfo | null;
  blockedReason?: string | null;
}) {
  const t = useT();
  const navigation = useNavigation();
  return (
    <details className="relative" data-testid="publish">
      <summary className="btn-primary cursor-pointer list-none py-1.5">
        {t("rubric.actions.publish")}
      </summary>
      <div className="absolute right-0 z-20 mt-2 w-96 max-w-[90vw] rounded-lg border border-slate-200 bg-white p-4 text-sm shadow-lg">
        <p className="font-medium text-slate-900">{t("rubric.publish.confirmTitle")}</p>
        {info ? <PublishConsequences info={info} /> : <p className="mt-1 text-slate-600">{t("rubric.publish.confirmBody")}</p>}
        {blockedReason ? (
          <p className="mt-3 text-amber-700" role="status">
            {blockedReason}
          </p>
        ) : (
          <Form method="post" action={action} className="mt-3">
            <input type="hidden" name="intent" value="publish" />
            <input type="hidden" name="revision" value={revision} />
            {info?.totalChange ? (
              <div className="mb-3 rounded-md border border-amber-200 bg-amber-50 p-2 text-amber-900" data-testid="publish-total-change">
                <p>{t("rubricPublish.totalChanged", info.totalChange)}</p>
                <label className="mt-1 flex items-center gap-2">
                  <input type="checkbox" name="confirmTotal" value={info.totalChange.to} required data-testid="confirm-total" />
                  {t("rubricPublish.confirmTotal", { to: info.totalChange.to })}
                </label>
              </div>
            ) : null}
            <button
              type="submit"
              className="btn-primary w-full"
              disabled={navigation.state !== "idle"}
              data-testid="confirm-publish"
            >
              {t("rubric.publish.confirm")}
            </button>
          </Form>
        )}
      </div>
    </details>
  );
}

export function DiscardControl({ action }: { action: string }) {
  const t = useT();
  const navigation = useNavigation();
  return (
    <details className="relative" data-testid="discard">
      <summary className="btn-secondary cursor-pointer list-none py-1.5 text-red-700">
        {t("rubric.discard")}
      </summary>
      <div className="absolute right-0 z-20 mt-2 w-72 rounded-lg border border-slate-200 bg-white p-4 text-sm shadow-lg">
        <p className="text-slate-700">{t("rubric.discard.confirmBody")}</p>
        <Form method="post" action={action} className="mt-3">
          <input type="hidden" name="intent" value="discard" />
          <button
            type="submit"
            className="btn-danger w-full"
            disabled={navigation.state !== "idle"}
          >
            {t("rubric.discard.confirm")}
          </button>
        </Form>
      </div>
    </details>
  );
}
