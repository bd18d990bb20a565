/**
 * The draft's name and description in both languages. The name is what the rubric list and the
 * enterprises' 开始自评 list show (so a copy need not keep its parent's name); the total stated in
 * the description is generated from the item points when the draft is saved.
 */
import type { UseFormRegister } from "react-hook-form";
import { useT } from "~/i18n/react";
import type { Rubric } from "~/lib/rubric/schema";

export function RubricIdentityFields({ register }: { register: UseFormRegister<Rubric> }) {
  const t = useT();
  return (
    <section className="card mb-4" data-testid="rubric-identity">
      <h2 className="text-sm font-medium text-slate-700">{t("rubricPublish.identity")}</h2>
      <p className="mt-1 text-xs text-slate-600">{t("rubricPublish.identityHint")}</p>
      <div className="mt-2 grid gap-3 md:grid-cols-2">
        <label className="block">
          <span className="label">{t("rubricPublish.titleZh")}</span>
          <input type="text" className="input" maxLength={200} data-testid="rubric-title-zh" {...register("title.zh")} />
        </label>
        <label className="block">
          <span className="label">{t("rubricPublish.titleEn")}</span>
          <input type="text" className="input" lang="en" maxLength={200} data-testid="rubric-title-en" {...register("title.en")} />
        </label>
        <label className="block">
          <span className="label">{t("rubricPublish.descriptionZh")}</span>
          <textarea className="input min-h-24" maxLength={4000} data-testid="rubric-description-zh" {...register("description.zh")} />
        </label>
        <label className="block">
          <span className="label">{t("rubricPublish.descriptionEn")}</span>
          <textarea className="input min-h-24" lang="en" maxLength={4000} data-testid="rubric-description-en" {...register("description.en")} />
        </label>
      </div>
    </section>
  );
}
