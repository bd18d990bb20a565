/**
 * One confirmation for every irreversible action (issue 17): a button that opens a modal native
 * <dialog> naming the consequences; its confirm button submits the enclosing form. Place it inside
 * the <Form> it confirms. Escape or 取消 closes it and nothing is sent; focus starts on 取消 so a
 * stray Enter does not act. Before hydration (or without JavaScript) the consequences are shown
 * next to a plain submit button instead, so the person still reads them before acting.
 */
import { useEffect, useId, useRef, useState, type ReactNode } from "react";
import { useT } from "~/i18n/react";

export type ConfirmTone = "primary" | "danger";

export function useHydrated(): boolean {
  const [hydrated, setHydrated] = useState(false);
  useEffect(() => setHydrated(true), []);
  return hydrated;
}

export function ConfirmSubmit({
  label,
  title,
  consequences,
  confirmLabel,
  tone = "primary",
  disabled = false,
  testId,
  name,
  value,
  onOpen,
  children,
}: {
  /** The button that opens the dialog. */
  label: string;
  title: string;
  /** What will happen, one sentence each. */
  consequences: string[];
  /** The dialog's confirm button; defaults to `label`. */
  confirmLabel?: string;
  tone?: ConfirmTone;
  disabled?: boolean;
  testId?: string;
  /** Optional name/value posted by the confirm button (e.g. an intent). */
  name?: string;
  value?: string;
  /** Runs before the dialog opens; return false to keep it closed (e.g. the form is invalid). */
  onOpen?: () => boolean | Promise<boolean>;
  /** Extra content in the dialog (e.g. counts loaded for this action). */
  children?: ReactNode;
}) {
  const t = useT();
  const hydrated = useHydrated();
  const ref = useRef<HTMLDialogElement>(null);
  const id = useId();
  const buttonClass = tone === "danger" ? "btn-danger" : "btn-primary";
  const list = (
    <ul id={`${id}-consequences`} className="list-disc space-y-1 pl-5 text-sm text-slate-700" data-confirm-consequences>
      {consequences.map((c) => (
        <li key={c}>{c}</li>
      ))}
    </ul>
  );

  if (!hydrated) {
    return (
      <div className="space-y-2" data-confirm={testId}>
        <p className="text-sm font-medium text-slate-900">{title}</p>
        {list}
        {children}
        <button type="submit" className={buttonClass} disabled={disabled} name={name} value={value}>
          {confirmLabel ?? label}
        </button>
      </div>
    );
  }

  const open = async () => {
    if (onOpen && !(await onOpen())) return;
    ref.current?.showModal();
  };
  const close = () => ref.current?.close();

  return (
    <>
      <button type="button" className={buttonClass} disabled={disabled} onClick={() => void open()} data-testid={testId ? `${testId}-open` : undefined}>
        {label}
      </button>
      <dialog
        ref={ref}
        aria-labelledby={`${id}-title`}
        aria-describedby={`${id}-consequences`}
        className="w-full max-w-lg rounded-lg p-0 shadow-xl backdrop:bg-slate-900/40"
        data-testid={testId ? `${testId}-dialog` : undefined}
      >
        <div className="space-y-4 p-5">
          <h2 id={`${id}-title`} className="text-lg font-semibold text-slate-900">
            {title}
          </h2>
          {list}
          {children}
          <div className="flex justify-end gap-2">
            <button type="button" className="btn-secondary" onClick={close} autoFocus>
              {t("confirm.cancel")}
            </button>
            <button type="submit" className={buttonClass} name={name} value={value} onClick={close} data-testid={testId ? `${testId}-confirm` : undefined}>
              {confirmLabel ?? label}
            </button>
          </div>
        </div>
      </dialog>
    </>
  );
}
