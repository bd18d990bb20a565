/**
 * The enterprise's to-dos, read with the functions behind its own lists: its applications
 * (listEnterpriseApplications), credit records (listCreditRecords), certificates (listCertificates).
 */
import { Assessment } from "../../../models/assessment";
import { TODO_ENTRIES_SHOWN, earliest, type TodoEntry, type TodoItem } from "~/lib/todo";
import { listCertificates } from "../certificates/queries.server";
import { listYearlyReportsForEnterprise } from "../certificates/yearly-reports.server";
import { listCreditRecords } from "../credit-records.server";
import { listEnterpriseApplications, type ApplicationListItem } from "../grading-views.server";
import { toObjectId } from "../ids.server";
import { applicationBar } from "./application-bar.server";
import { isPast, ofEnterprise, type TodoContext, type TodoSource } from "./types.server";

/** Days before expiry from which a certificate is listed (the renewal window of DOMAIN.md §6). */
const EXPIRING_DAYS = "90";

function item(
  partial: Omit<TodoItem, "overdue" | "deadline"> & { deadline?: string | null },
  now: Date,
): TodoItem {
  const deadline = partial.deadline ?? earliest(partial.entries.map((e) => e.deadline));
  return { ...partial, deadline, overdue: isPast(deadline, now) };
}

/** The reason given with the latest RETURN (an `_id` read per returned application; there are few). */
async function returnReason(ctx: TodoContext, id: string): Promise<string | null> {
  const _id = toObjectId(id);
  if (!_id) return null;
  const doc = await Assessment.findOne({ tenantId: ctx.tenant._id, _id })
    .select({ history: 1 })
    .lean<{ history: Array<{ event: string; reason?: string }> }>();
  const last = [...(doc?.history ?? [])].reverse().find((h) => h.event === "RETURN");
  return last?.reason ?? null;
}

async function applicationTodos(ctx: TodoContext): Promise<TodoItem[]> {
  const enterpriseId = ctx.member.enterpriseId;
  if (!enterpriseId) return [];
  const apps = await listEnterpriseApplications({
    tenantId: ctx.tenant._id,
    enterpriseId,
    now: ctx.now,
  });
  const entry = (
    a: ApplicationListItem,
    deadline: string | null,
    path: "assessments" | "applications",
  ): TodoEntry => ({
    label: a.cycle,
    href: `${ctx.base}/${path}/${a.id}`,
    deadline,
    overdue: isPast(deadline, ctx.now),
  });
  const drafts = apps.filter((a) => a.state === "draft" && !a.returned);
  const returned = apps.filter((a) => a.returned);
  const rectifying = apps.filter((a) => a.state === "underReview.rectification");
  const returnedEntries = await Promise.all(
    returned
      .slice(0, TODO_ENTRIES_SHOWN)
      .map(async (a) => ({
        ...entry(a, null, "assessments"),
        note: await returnReason(ctx, a.id),
      })),
  );
  return [
    item(
      {
        key: "enterprise.draft",
        title: "todo.enterprise.draft",
        count: drafts.length,
        href: `${ctx.base}/assessments`,
        tone: "action",
        entries: drafts.slice(0, TODO_ENTRIES_SHOWN).map((a) => entry(a, null, "assessments")),
      },
      ctx.now,
    ),
    item(
      {
        key: "enterprise.returned",
        title: "todo.enterprise.returned",
        count: returned.length,
        href: `${ctx.base}/applications`,
        tone: "action",
        entries: returnedEntries,
      },
      ctx.now,
    ),
    item(
      {
        key: "enterprise.rectification",
        title: "todo.enterprise.rectification",
        count: rectifying.length,
        href: `${ctx.base}/applications`,
        tone: "action",
        deadlineLabel: "todo.deadline.rectifyBy",
        entries: rectifying
          .slice(0, TODO_ENTRIES_SHOWN)
          .map((a) => entry(a, a.deadlines.rectifyBy ?? null, "applications")),
      },
      ctx.now,
    ),
  ];
}

async function creditNoticeTodos(ctx: TodoContext): Promise<TodoItem[]> {
  const list = await listCreditRecords({
    tenantId: ctx.tenant._id,
    member: ctx.member,
    filters: { status: "notified", page: 1 },
  });
  const entries = list.items.slice(0, TODO_ENTRIES_SHOWN).map((r) => ({
    label: r.subjectName,
    href: `${ctx.base}/credit/${r.id}`,
    deadline: r.defenceDeadline,
    overdue: isPast(r.defenceDeadline, ctx.now),
  }));
  return [
    item(
      {
        key: "enterprise.creditNotice",
        title: "todo.enterprise.creditNotice",
        count: list.total,
        href: `${ctx.base}/credit?status=notified`,
        tone: "action",
        deadlineLabel: "todo.deadline.defenceBy",
        entries,
      },
      ctx.now,
    ),
  ];
}

async function certificateTodos(ctx: TodoContext): Promise<TodoItem[]> {
  const enterpriseId = ctx.member.enterpriseId;
  if (!enterpriseId) return [];
  const list = await listCertificates({
    tenantId: ctx.tenant._id,
    filters: { enterpriseId, expiring: EXPIRING_DAYS },
    pageSize: TODO_ENTRIES_SHOWN,
    now: ctx.now,
  });
  const entries = list.items.map((c) => ({
    label: c.number,
    href: `${ctx.base}/certificates/${c.id}`,
    deadline: c.validUntil,
    overdue: false,
  }));
  return [
    item(
      {
        key: "enterprise.certificateExpiring",
        title: "todo.enterprise.certificateExpiring",
        count: list.total,
        href: `${ctx.base}/certificates?expiring=${EXPIRING_DAYS}`,
        tone: "info",
        deadlineLabel: "todo.deadline.validUntil",
        entries,
      },
      ctx.now,
    ),
  ];
}

/** Yearly self-assessment reports (年度自评报告) not yet submitted: the same list as /yearly-reports. */
async function yearlyReportTodos(ctx: TodoContext): Promise<TodoItem[]> {
  const enterpriseId = ctx.member.enterpriseId;
  if (!enterpriseId) return [];
  const reports = await listYearlyReportsForEnterprise({ tenantId: ctx.tenant._id, enterpriseId, now: ctx.now });
  const open = reports.filter((r) => r.state !== "submitted");
  const entries = open.slice(0, TODO_ENTRIES_SHOWN).map((r) => ({
    label: `${r.certificateNumber} · ${r.year}`,
    href: `${ctx.base}/yearly-reports/${r.id}`,
    deadline: r.dueAt,
    overdue: r.state === "overdue",
  }));
  return [
    item(
      {
        key: "enterprise.yearlyReport",
        title: "todo.enterprise.yearlyReport",
        count: open.length,
        href: `${ctx.base}/yearly-reports`,
        tone: "action",
        deadlineLabel: "todo.deadline.dueBy",
        entries,
      },
      ctx.now,
    ),
  ];
}

async function barTodos(ctx: TodoContext): Promise<TodoItem[]> {
  const enterpriseId = ctx.member.enterpriseId;
  if (!enterpriseId) return [];
  const bar = await applicationBar({
    tenantId: ctx.tenant._id,
    slug: ctx.tenant.slug,
    enterpriseId,
    settings: ctx.tenant.settings,
    now: ctx.now,
  });
  if (!bar) return [];
  return [
    {
      key: "enterprise.barred",
      title: `todo.enterprise.barred.${bar.kind}`,
      params: { name: bar.name },
      count: 1,
      href: bar.href,
      deadline: bar.until,
      deadlineLabel: "todo.deadline.barredUntil",
      // The date is when the bar ends, not a deadline to miss.
      overdue: false,
      tone: "warning",
      entries: [],
    },
  ];
}

export const ENTERPRISE_TODO_SOURCES: TodoSource[] = [
  {
    key: "enterprise.applications",
    anyOf: ["read:assessment:own"],
    applies: ofEnterprise,
    collect: applicationTodos,
  },
  {
    key: "enterprise.credit",
    anyOf: ["read:credit:own"],
    applies: ofEnterprise,
    collect: creditNoticeTodos,
  },
  {
    key: "enterprise.certificates",
    anyOf: ["read:certificate:own"],
    applies: ofEnterprise,
    collect: certificateTodos,
  },
  {
    key: "enterprise.yearlyReport",
    anyOf: ["read:certificate:own"],
    applies: ofEnterprise,
    collect: yearlyReportTodos,
  },
  {
    key: "enterprise.bar",
    anyOf: ["read:assessment:own"],
    applies: ofEnterprise,
    collect: barTodos,
  },
];
