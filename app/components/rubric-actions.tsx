import { Form, useNavigation } from "@remix-run/react";
import { useT } from "~/i18n/react";

/**
 * Publishing is the one irreversible step of a draft, so it asks first. A <details> disclosure
 * rather than window.confirm: it works without JavaScript and states what publishing means.
 */
export function PublishControl({
  action,
  revision,
  blockedReason,
}: {
  action: string;
  revision: number;
  blockedReason?: string | null;
}) {
  const t = useT();
  const navigation = useNavigation();
  return (
    <details className="relative" data-testid="publish">
      <summary className="btn-primary cursor-pointer list-none py-1.5">
        {t("rubric.actions.publish")}
      </summary>
      <div className="absolute right-0 z-20 mt-2 w-80 rounded-lg border border-slate-200 bg-white p-4 text-sm shadow-lg">
        <p className="font-medium text-slate-900">{t("rubric.publish.confirmTitle")}</p>
        <p className="mt-1 text-slate-600">{t("rubric.publish.confirmBody")}</p>
        {blockedReason ? (
          <p className="mt-3 text-amber-700" role="status">
            {blockedReason}
          </p>
        ) : (
          <Form method="post" action={action} className="mt-3">
            <input type="hidden" name="intent" value="publish" />
            <input type="hidden" name="revision" value={revision} />
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
