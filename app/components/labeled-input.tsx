/**
 * An input inside its label (`<label><span>label</span><input/></label>`), for forms driven by
 * react-hook-form: spread `register(...)` onto it (the ref is forwarded). `compact` is the small
 * variant used inside table-like rows.
 */
import { forwardRef, type InputHTMLAttributes } from "react";

type LabeledInputProps = InputHTMLAttributes<HTMLInputElement> & {
  label: string;
  /** Class of the `<label>`; "block" unless given. */
  labelClassName?: string;
  compact?: boolean;
};

export const LabeledInput = forwardRef<HTMLInputElement, LabeledInputProps>(function LabeledInput(
  { label, labelClassName, compact = false, ...input },
  ref,
) {
  return (
    <label className={labelClassName ?? (compact ? "block text-xs text-slate-600" : "block")}>
      <span className={compact ? "mb-0.5 block" : "label"}>{label}</span>
      <input ref={ref} className={compact ? "input py-1" : "input"} {...input} />
    </label>
  );
});
