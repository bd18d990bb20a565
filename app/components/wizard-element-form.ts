/**
 * One element's form inside a <WizardProvider> (self-assessment wizard and review sheet): every
 * change goes to the wizard (local draft + debounced autosave), values the wizard changes
 * underneath (restored draft, someone else's save, "take theirs") flow back in, a link to
 * `#item-…` focuses that item, and "save now" — or a rejected save — moves focus to the first
 * invalid item.
 */
import { useLocation } from "@remix-run/react";
import { useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { useForm } from "react-hook-form";
import { answerFromFormValue, sameFormValue } from "~/lib/assessment/answers";
import type { RubricItem } from "~/lib/rubric/schema";
import { itemAnchor, type ElementFormValues } from "./assessment-item";
import { useWizard } from "./assessment-wizard";

function focusItem(itemId: string): void {
  const section = document.getElementById(itemAnchor(itemId));
  const control = section?.querySelector<HTMLElement>("[aria-invalid=true], input:not([disabled]), textarea:not([disabled])");
  section?.scrollIntoView({ block: "start" });
  (control ?? section)?.focus();
}

export function useWizardElementForm(flat: RubricItem[]) {
  const location = useLocation();
  const wizard = useWizard();
  const wizardRef = useRef(wizard);
  wizardRef.current = wizard;
  const indexOf = useMemo(() => new Map(flat.map((item, i) => [item.id, i])), [flat]);

  // Also rendered into the server HTML (defaultChecked/defaultValue), so answers show before hydration.
  const [initial] = useState(() => flat.map((item) => wizard.formValueFor(item.id)));
  const form = useForm<ElementFormValues>({ defaultValues: { items: initial } });
  const { watch, getValues, setValue } = form;

  useEffect(() => {
    const subscription = watch((_values, { name }) => {
      const match = name ? /^items\.(\d+)/.exec(name) : null;
      if (!match) return;
      const i = Number(match[1]);
      const item = flat[i];
      if (item) wizardRef.current.setDraft(item.id, getValues(`items.${i}`));
    });
    return () => subscription.unsubscribe();
  }, [watch, getValues, flat]);

  const syncedRef = useRef(wizard.syncToken);
  useEffect(() => {
    if (syncedRef.current === wizard.syncToken) return;
    syncedRef.current = wizard.syncToken;
    flat.forEach((item, i) => {
      const desired = wizardRef.current.formValueFor(item.id);
      if (!sameFormValue(getValues(`items.${i}`), desired)) setValue(`items.${i}`, desired);
    });
  }, [wizard.syncToken, flat, getValues, setValue]);

  useEffect(() => {
    if (!location.hash) return;
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (target) {
      target.scrollIntoView({ block: "start" });
      target.focus({ preventScroll: true });
    }
  }, [location.hash]);

  // A save the server rejected (400): focus the first item it named.
  const status = wizard.status;
  useEffect(() => {
    if (status !== "error") return;
    const first = flat.find((item) => wizardRef.current.itemErrors(item.id) !== null);
    if (first) focusItem(first.id);
  }, [status, flat]);

  const onSubmit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const values = getValues("items");
    const firstInvalid = flat.find((item, i) => {
      const value = values[i];
      return value !== undefined && !answerFromFormValue(item, value).ok;
    });
    void wizard.flushNow();
    if (firstInvalid) focusItem(firstInvalid.id);
  };

  return { form, initial, indexOf, onSubmit };
}
