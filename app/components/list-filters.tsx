/**
 * The pieces every list page's GET filter form shares: a select with an "all" option, and the
 * search / reset buttons. Field names are the query parameters the loaders read.
 */
import { Link } from "@remix-run/react";
import { useT } from "~/i18n/react";

export type FilterOption = { value: string; label: string | number };

export function FilterSelect({
  name,
  label,
  value,
  options,
  allLabel,
  visibleLabel = false,
  className,
}: {
  name: string;
  label: string;
  value: string | number | undefined;
  options: FilterOption[];
  /** The first option ("all …"), value "". Omit when a value is always chosen. */
  allLabel?: string;
  /** Show the label above the field (default: for screen readers only). */
  visibleLabel?: boolean;
  className?: string;
}) {
  return (
    <label className={className}>
      <span className={visibleLabel ? "label" : "sr-only"}>{label}</span>
      <select name={name} defaultValue={value === undefined ? "" : String(value)} className="input">
        {allLabel !== undefined ? <option value="">{allLabel}</option> : null}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </label>
  );
}

/** "Search" and "Reset" (back to the unfiltered list). */
export function FilterActions({ resetTo, className }: { resetTo: string; className?: string }) {
  const t = useT();
  return (
    <div className={`flex gap-2 ${className ?? ""}`.trim()}>
      <button type="submit" className="btn-primary">
        {t("common.search")}
      </button>
      <Link to={resetTo} className="btn-secondary">
        {t("common.reset")}
      </Link>
    </div>
  );
}
