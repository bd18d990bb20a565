/** The wizard's notice (a restored local draft, others' changes merged, a discarded draft), with its buttons. */
import { Notice } from "~/components/form";
import { useT } from "~/i18n/react";
import { useWizard } from "./assessment-wizard";

export function WizardNotice() {
  const t = useT();
  const wizard = useWizard();
  const { notice } = wizard;
  if (!notice) return null;
  return (
    <div data-testid="wizard-notice" data-notice-kind={notice.kind}>
      <Notice>
        <span className="flex flex-wrap items-center justify-between gap-3">
          <span>
            {notice.kind === "restored"
              ? t("assessment.draft.restored", { count: notice.count })
              : notice.kind === "merged"
                ? t("assessment.conflict.merged", { count: notice.count })
                : t("assessment.draft.discarded")}
          </span>
          <span className="flex gap-2">
            {notice.kind === "restored" ? (
              <button type="button" className="btn-secondary py-1" onClick={wizard.discardLocal}>
                {t("assessment.draft.discard")}
              </button>
            ) : null}
            <button type="button" className="btn-secondary py-1" onClick={wizard.dismissNotice} aria-label={t("common.cancel")}>
              ×
            </button>
          </span>
        </span>
      </Notice>
    </div>
  );
}
