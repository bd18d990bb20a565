/**
 * The pieces every list page's GET filter form shares: a select with an "all" option, and the
 * search / reset buttons. Field names are the query parameters the loaders read.
 */
import { Link } from "@remix-run/react";
import { useId } from "react";
import { useT } from "~/i18n/react";
import { INDUSTRY_KEYS } from "~/lib/domain";

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
  // Associated by id, not by wrapping: a label around a select makes some tools name the field
  // with the text of every option.
  const id = useId();
  return (
    <div className={className}>
      <label htmlFor={id} className={visibleLabel ? "label" : "sr-only"}>
        {label}
      </label>
      <select id={id} name={name} defaultValue={value === undefined ? "" : String(value)} className="input">
        {allLabel !== undefined ? <option value="">{allLabel}</option> : null}
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
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

/** The industry filter every enterprise-based list offers (query parameter `industry`). */
export function IndustryFilter({
  value,
  visibleLabel,
}: {
  value: string | undefined;
  visibleLabel?: boolean;
}) {
  const t = useT();
  return (
    <FilterSelect
      name="industry"
      label={t("enterprise.industry")}
      value={value}
      allLabel={t("enterprise.list.allIndustries")}
      options={INDUSTRY_KEYS.map((key) => ({ value: key, label: t(`industry.${key}`) }))}
      visibleLabel={visibleLabel}
    />
  );
}

/** The district filter over the tenant's districts (query parameter `district`). */
export function DistrictFilter({
  value,
  districts,
  visibleLabel,
}: {
  value: string | undefined;
  districts: ReadonlyArray<{ code: string; name: string }>;
  visibleLabel?: boolean;
}) {
  const t = useT();
  return (
    <FilterSelect
      name="district"
      label={t("enterprise.district")}
      value={value}
      allLabel={t("enterprise.list.allDistricts")}
      options={districts.map((x) => ({ value: x.code, label: x.name }))}
      visibleLabel={visibleLabel}
    />
  );
}
