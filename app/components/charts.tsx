/**
 * Server-rendered SVG charts for the dashboard: no chart library, no client JavaScript. Each chart
 * scales with its container (viewBox + width 100%, but never past 1.5× its drawn size, so labels stay
 * at the page's text size), has an accessible name (title/desc on a role="group": an image may not
 * contain links) and links every bar to the list behind it, each link named by its own <title>.
 * The numbers are also given as a table by the caller (`ChartTable`).
 */
import { useId, type ReactNode } from "react";

export type ChartDatum = { key: string; label: string; value: number; href?: string };

const PALETTE = ["#1d4ed8", "#0891b2", "#16a34a", "#ca8a04", "#dc2626", "#7c3aed", "#db2777", "#64748b"];

export function colorAt(i: number): string {
  return PALETTE[i % PALETTE.length] ?? "#1d4ed8";
}

function shorten(label: string, max: number): string {
  return label.length > max ? `${label.slice(0, max - 1)}…` : label;
}

/** Drawn at most this much larger than the viewBox, so 12-unit labels stay near 12–18 px. */
const MAX_SCALE = 1.5;

/** A linked part of a chart: its <title> (the first child) names it; data-label carries the same words for tests. */
function Linked({ href, label, children }: { href?: string; label: string; children: ReactNode }) {
  if (!href) return <g>{children}</g>;
  return (
    <a href={href} data-label={label}>
      {children}
    </a>
  );
}

function ChartFrame({ id, title, desc, width, height, testId, children }: {
  id: string;
  title: string;
  desc: string;
  width: number;
  height: number;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <svg
      viewBox={`0 0 ${width} ${height}`}
      width="100%"
      role="group"
      aria-labelledby={`${id}-t ${id}-d`}
      className="h-auto"
      style={{ maxWidth: `${width * MAX_SCALE}px` }}
      data-testid={testId}
    >
      <title id={`${id}-t`}>{title}</title>
      <desc id={`${id}-d`}>{desc}</desc>
      {children}
    </svg>
  );
}

/** Horizontal bars (negative values extend left of the axis when `signed`). */
export function BarChart({
  title,
  desc,
  data,
  signed = false,
  testId,
  format = (v) => String(v),
  width = 400,
}: {
  title: string;
  desc: string;
  data: ChartDatum[];
  signed?: boolean;
  testId?: string;
  format?: (v: number) => string;
  /** Drawing width: a chart placed across two columns draws wider, so its labels keep their size. */
  width?: number;
}) {
  const id = useId();
  const labelW = Math.round(width * 0.35);
  const labelChars = Math.floor(labelW / 12.5);
  const valueW = 48;
  const rowH = 26;
  const height = Math.max(1, data.length) * rowH + 8;
  const max = Math.max(1, ...data.map((d) => Math.abs(d.value)));
  const plotW = width - labelW - valueW;
  const zeroX = signed ? labelW + plotW / 2 : labelW;
  const scale = (signed ? plotW / 2 : plotW) / max;
  return (
    <ChartFrame id={id} title={title} desc={desc} width={width} height={height} testId={testId}>
      {data.length === 0 ? (
        <text x={width / 2} y={18} textAnchor="middle" fontSize="12" fill="#64748b">
          —
        </text>
      ) : null}
      {data.map((d, i) => {
        const y = 4 + i * rowH;
        const w = Math.abs(d.value) * scale;
        const x = d.value < 0 ? zeroX - w : zeroX;
        return (
          <Linked key={d.key} href={d.href} label={`${d.label}: ${format(d.value)}`}>
            <title>{`${d.label}: ${format(d.value)}`}</title>
            <text x={labelW - 6} y={y + rowH / 2 + 4} textAnchor="end" fontSize="12" fill="#334155">
              {shorten(d.label, labelChars)}
            </text>
            <rect x={x} y={y + 4} width={Math.max(w, d.value === 0 ? 0 : 1)} height={rowH - 8} rx="3" fill={d.value < 0 ? "#16a34a" : colorAt(0)} />
            <text x={width - valueW + 4} y={y + rowH / 2 + 4} fontSize="12" fill="#0f172a" data-value={d.value}>
              {format(d.value)}
            </text>
          </Linked>
        );
      })}
      {signed ? <line x1={zeroX} x2={zeroX} y1={0} y2={height} stroke="#94a3b8" strokeWidth="1" /> : null}
    </ChartFrame>
  );
}

/** One 100% stacked bar with a legend (share of a whole, e.g. enterprises by level). */
export function StackedBar({
  title,
  desc,
  data,
  testId,
}: {
  title: string;
  desc: string;
  data: ChartDatum[];
  testId?: string;
}) {
  const id = useId();
  const width = 400;
  const total = data.reduce((s, d) => s + d.value, 0);
  const legendRows = Math.ceil(data.length / 2);
  const height = 40 + legendRows * 22;
  let x = 0;
  return (
    <ChartFrame id={id} title={title} desc={desc} width={width} height={height} testId={testId}>
      <rect x={0} y={4} width={width} height={24} rx="4" fill="#e2e8f0" />
      {data.map((d, i) => {
        const w = total > 0 ? (d.value / total) * width : 0;
        const seg = (
          <Linked key={d.key} href={d.href} label={`${d.label}: ${d.value}`}>
            <title>{`${d.label}: ${d.value}`}</title>
            <rect x={x} y={4} width={w} height={24} fill={colorAt(i)} />
          </Linked>
        );
        x += w;
        return seg;
      })}
      {data.map((d, i) => {
        const col = i % 2;
        const row = Math.floor(i / 2);
        const lx = col * (width / 2);
        const ly = 40 + row * 22;
        return (
          <Linked key={`l-${d.key}`} href={d.href} label={`${d.label}: ${d.value}`}>
            <title>{`${d.label}: ${d.value}`}</title>
            <rect x={lx} y={ly} width={12} height={12} fill={colorAt(i)} />
            <text x={lx + 16} y={ly + 11} fontSize="12" fill="#334155">
              {`${shorten(d.label, 14)} ${d.value}`}
            </text>
          </Linked>
        );
      })}
    </ChartFrame>
  );
}

/**
 * Newly certified per month as columns, scaled to the busiest month (a yearly target of 1,000 must
 * not flatten them), with the year's running total against the target drawn apart as a progress bar.
 */
export function TargetTrendChart({
  title,
  desc,
  months,
  target,
  progressLabel,
  monthLabel,
  testId,
}: {
  title: string;
  desc: string;
  months: Array<{ month: number; count: number; cumulative: number; href?: string }>;
  target: number;
  /** "累计 12 / 目标 1000（1.2%）": the words beside the progress bar. */
  progressLabel: string;
  monthLabel: (m: number) => string;
  testId?: string;
}) {
  const id = useId();
  const width = 400;
  const progressH = 40;
  const top = progressH + 16;
  const bottom = 20;
  const height = 220;
  const left = 8;
  const plotH = height - top - bottom;
  const max = Math.max(1, ...months.map((m) => m.count));
  const colW = (width - left * 2) / 12;
  const total = months.reduce((n, m) => Math.max(n, m.cumulative), 0);
  const share = target > 0 ? Math.min(1, total / target) : 0;
  return (
    <ChartFrame id={id} title={title} desc={desc} width={width} height={height} testId={testId}>
      <g data-target={target} data-total={total}>
        <text x={left} y={14} fontSize="12" fill="#334155">
          {progressLabel}
        </text>
        <rect x={left} y={22} width={width - left * 2} height={10} rx="5" fill="#e2e8f0" />
        {share > 0 ? <rect x={left} y={22} width={Math.max(4, (width - left * 2) * share)} height={10} rx="5" fill="#dc2626" /> : null}
      </g>
      <line x1={left} x2={width - left} y1={top + plotH} y2={top + plotH} stroke="#94a3b8" />
      {months.map((m, i) => {
        const x = left + i * colW + 3;
        const h = m.count > 0 ? Math.max(2, (m.count / max) * (plotH - 14)) : 0;
        const words = `${monthLabel(m.month)}: +${m.count} (${m.cumulative})`;
        return (
          <Linked key={m.month} href={m.href} label={words}>
            <title>{words}</title>
            <rect x={x} y={top + plotH - h} width={colW - 6} height={h} rx="1" fill={colorAt(1)} data-value={m.count} />
            {m.count > 0 ? (
              <text x={x + (colW - 6) / 2} y={top + plotH - h - 3} fontSize="11" textAnchor="middle" fill="#0f172a">
                {`+${m.count}`}
              </text>
            ) : null}
            <text x={x + (colW - 6) / 2} y={height - 6} fontSize="11" textAnchor="middle" fill="#475569">
              {m.month}
            </text>
          </Linked>
        );
      })}
    </ChartFrame>
  );
}

/** The numbers behind a chart, folded away by default. */
export function ChartTable({
  summary,
  columns,
  rows,
  testId,
}: {
  summary: string;
  columns: string[];
  rows: Array<Array<ReactNode>>;
  testId?: string;
}) {
  return (
    <details className="mt-2 text-sm" data-testid={testId}>
      <summary className="cursor-pointer text-brand-700">{summary}</summary>
      <div className="mt-2 overflow-x-auto">
        <table className="table">
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c} scope="col">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}>
                {r.map((cell, j) => (
                  <td key={j}>{cell}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </details>
  );
}
