/**
 * Pieces of the weight-profile page: the publish step (a draft is only previewed until it is
 * published) and the preview of what the profile does to one rubric (each element's share of the
 * score without and with the weights).
 */
import { Form, useNavigation } from "@remix-run/react";
import { useLocale, useT } from "~/i18n/react";
import { pickText } from "~/lib/rubric/localize";
import type { ElementShare } from "~/lib/rubric/weight-targets";

export function WeightPublishControl({ revision }: { revision: number }) {
  const t = useT();
  const navigation = useNavigation();
  return (
    <details className="relative" data-testid="weights-publish">
      <summary className="btn-primary cursor-pointer list-none py-1">{t("weights.publish")}</summary>
      <div className="absolute left-0 z-20 mt-2 w-80 max-w-[90vw] rounded-lg border border-slate-200 bg-white p-4 text-sm shadow-lg">
        <p className="font-medium text-slate-900">{t("weights.publish.confirmTitle")}</p>
        <p className="mt-1 text-slate-700">{t("weights.publish.confirmBody")}</p>
        <p className="mt-1 text-slate-600">{t("weights.publish.saveFirst")}</p>
        <Form method="post" className="mt-3">
          <input type="hidden" name="intent" value="publish" />
          <input type="hidden" name="revision" value={revision} />
          <button type="submit" className="btn-primary w-full" disabled={navigation.state !== "idle"} data-testid="weights-confirm-publish">
            {t("weights.publish.confirm")}
          </button>
        </Form>
      </div>
    </details>
  );
}

export function WeightPreview({
  slug,
  profileId,
  preview,
}: {
  slug: string;
  profileId: string;
  preview: { rubrics: Array<{ id: string; label: string; title: { zh: string; en: string } }>; chosen: string | null; shares: ElementShare[] };
}) {
  const t = useT();
  const locale = useLocale();
  return (
    <section className="card mt-4" data-testid="weights-preview" aria-labelledby="weights-preview-title">
      <h2 id="weights-preview-title" className="font-medium">
        {t("weights.preview.title")}
      </h2>
      {preview.rubrics.length === 0 ? (
        <p className="text-sm text-slate-600">{t("weights.preview.empty")}</p>
      ) : (
        <>
          <Form method="get" action={`/t/${slug}/weights/${profileId}`} className="mt-2 flex flex-wrap items-end gap-2">
            <div>
              <label htmlFor="weights-preview-rubric" className="label">
                {t("weights.preview.rubric")}
              </label>
              <select id="weights-preview-rubric" name="rubric" className="input w-auto py-1" defaultValue={preview.chosen ?? ""}>
                {preview.rubrics.map((r) => (
                  <option key={r.id} value={r.id}>
                    {pickText(r.title, locale)} ({r.label})
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="btn-secondary py-1">
              {t("weights.preview.show")}
            </button>
          </Form>
          <div className="mt-3 overflow-x-auto">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">{t("weights.preview.element")}</th>
                  <th scope="col">{t("weights.preview.points")}</th>
                  <th scope="col">{t("weights.preview.before")}</th>
                  <th scope="col">{t("weights.preview.after")}</th>
                </tr>
              </thead>
              <tbody>
                {preview.shares.map((e) => (
                  <tr key={e.id} data-preview-element={e.id}>
                    <td>
                      <span className="mr-1 font-mono text-xs text-slate-600">{e.id}</span>
                      {pickText(e.title, locale)}
                    </td>
                    <td className="tabular-nums">{e.points}</td>
                    <td className="tabular-nums">{e.before}%</td>
                    <td className={`tabular-nums ${e.after > e.before ? "font-medium text-emerald-700" : e.after < e.before ? "text-red-700" : ""}`} data-after>
                      {e.after}%
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
