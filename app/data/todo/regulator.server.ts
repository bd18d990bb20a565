/**
 * The grading authority's to-dos, read with the functions behind its lists: the application
 * queues (listApplicationQueues), the public notices (listPublicNotices) and the credit records
 * (listCreditRecords). Each count is the `total` its list page shows for the same filter.
 */
import { TODO_ENTRIES_SHOWN, earliest, type TodoItem } from "~/lib/todo";
import { REVIEW_SCORING_STATES } from "~/workflows/grading-input";
import { compareText } from "~/lib/lists/rows";
import { applicationRows, enterprisesById } from "../grading/application-rows-cache.server";
import { listRevocationReviews } from "../certificates/yearly-reports.server";
import { listCreditRecords } from "../credit-records.server";
import {
  listApplicationQueues,
  type ApplicationListItem,
} from "../grading-views.server";
import { isPast, type TodoContext, type TodoSource } from "./types.server";

/** Public notices ending within this many days are listed. */
const NOTICE_ENDING_DAYS = 3;

function appEntries(
  ctx: TodoContext,
  items: ApplicationListItem[],
  deadline: (a: ApplicationListItem) => string | null,
) {
  return items.slice(0, TODO_ENTRIES_SHOWN).map((a) => {
    const at = deadline(a);
    return {
      label: `${a.enterpriseName}（${a.cycle}）`,
      href: `${ctx.base}/applications/${a.id}`,
      deadline: at,
      overdue: isPast(at, ctx.now),
    };
  });
}

async function queueTodos(ctx: TodoContext): Promise<TodoItem[]> {
  const tenantId = ctx.tenant._id;
  const [acceptance, overdue, approval] = await Promise.all([
    listApplicationQueues({
      tenantId,
      queue: "acceptance",
      pageSize: TODO_ENTRIES_SHOWN,
      now: ctx.now,
    }),
    listApplicationQueues({
      tenantId,
      queue: "acceptance",
      overdue: "any",
      pageSize: TODO_ENTRIES_SHOWN,
      now: ctx.now,
    }),
    listApplicationQueues({
      tenantId,
      queue: "approval",
      pageSize: TODO_ENTRIES_SHOWN,
      now: ctx.now,
    }),
  ]);
  const acceptEntries = appEntries(ctx, acceptance.items, (a) => a.deadlines.acceptBy ?? null);
  const overdueEntries = appEntries(
    ctx,
    overdue.items,
    (a) => a.deadlines.acceptBy ?? a.deadlines.reviewBy ?? null,
  );
  return [
    {
      key: "regulator.accept",
      title: "todo.regulator.accept",
      count: acceptance.counts.acceptance,
      href: `${ctx.base}/applications?queue=acceptance`,
      deadline: earliest(acceptEntries.map((e) => e.deadline)),
      deadlineLabel: "todo.deadline.acceptBy",
      overdue: acceptEntries.some((e) => e.overdue),
      tone: "action",
      entries: acceptEntries,
    },
    {
      key: "regulator.overdue",
      title: "todo.regulator.overdue",
      count: overdue.total,
      href: `${ctx.base}/applications?overdue=any`,
      deadline: earliest(overdueEntries.map((e) => e.deadline)),
      overdue: overdue.total > 0,
      tone: "warning",
      entries: overdueEntries,
    },
    {
      key: "regulator.approval",
      title: "todo.regulator.approval",
      count: approval.counts.approval,
      href: `${ctx.base}/applications?queue=approval`,
      deadline: null,
      overdue: false,
      tone: "action",
      entries: appEntries(ctx, approval.items, () => null),
    },
  ];
}

/**
 * Public notices ending soon, from the slim list view (decision 027): the public notice list
 * (listPublicNotices) reads the assessments for their reported level, which the to-do does not show.
 */
async function endingNotices(ctx: TodoContext, horizon: number) {
  const [view, enterprises] = await Promise.all([
    applicationRows(ctx.tenant._id),
    enterprisesById(ctx.tenant._id),
  ]);
  const ending = view.byUpdated
    .flatMap((r) => {
      if (r.state !== "publicNotice.running") return [];
      const raw = r.deadlines?.noticeEndsAt;
      const at = raw instanceof Date || typeof raw === "string" ? new Date(raw) : null;
      return at && !Number.isNaN(at.getTime()) && at.getTime() <= horizon
        ? [{ id: String(r._id), enterpriseId: r.enterpriseId, endsAt: at.toISOString() }]
        : [];
    })
    .sort((a, b) => compareText(a.endsAt, b.endsAt) || compareText(a.id, b.id));
  const shown = ending.slice(0, TODO_ENTRIES_SHOWN);
  return {
    ending,
    shown: shown.map((n) => ({ ...n, enterpriseName: enterprises.get(String(n.enterpriseId))?.name ?? "" })),
  };
}

async function noticeTodos(ctx: TodoContext): Promise<TodoItem[]> {
  const horizon = ctx.now.getTime() + NOTICE_ENDING_DAYS * 86_400_000;
  const { ending, shown } = await endingNotices(ctx, horizon);
  const ended = await listApplicationQueues({
    tenantId: ctx.tenant._id,
    queue: "notice",
    states: ["publicNotice.ended"],
    pageSize: TODO_ENTRIES_SHOWN,
    now: ctx.now,
  });
  const endingEntries = shown.map((n) => ({
      label: n.enterpriseName,
      href: `${ctx.base}/applications/${n.id}`,
      deadline: n.endsAt,
      overdue: false,
    }));
  return [
    {
      key: "regulator.noticesEnding",
      title: "todo.regulator.noticesEnding",
      params: { days: NOTICE_ENDING_DAYS },
      count: ending.length,
      href: `${ctx.base}/applications?queue=notice`,
      deadline: earliest(ending.map((n) => n.endsAt)),
      deadlineLabel: "todo.deadline.noticeEndsAt",
      overdue: false,
      tone: "info",
      entries: endingEntries,
    },
    {
      key: "regulator.toAnnounce",
      title: "todo.regulator.toAnnounce",
      count: ended.total,
      href: `${ctx.base}/applications?state=publicNotice.ended`,
      deadline: null,
      overdue: false,
      tone: "action",
      entries: appEntries(ctx, ended.items, () => null),
    },
  ];
}

/** Applications sent back to review by a public objection (their objections list is not empty). */
async function objectionTodos(ctx: TodoContext): Promise<TodoItem[]> {
  // The slim list view (decision 027) counts the objections: no assessment is read.
  const scoring = new Set<string>(REVIEW_SCORING_STATES);
  const docs = (await applicationRows(ctx.tenant._id)).bySubmitted
    .filter((d) => scoring.has(d.state))
    .slice(0, 200);
  const objected = docs.filter((d) => d.objectionCount > 0);
  return [
    {
      key: "regulator.objections",
      title: "todo.regulator.objections",
      count: objected.length,
      href: `${ctx.base}/applications?queue=review`,
      deadline: null,
      overdue: false,
      tone: "action",
      entries: objected
        .slice(0, TODO_ENTRIES_SHOWN)
        .map((d) => ({
          label: d.cycle,
          href: `${ctx.base}/applications/${String(d._id)}`,
          deadline: null,
          overdue: false,
        })),
    },
  ];
}

async function creditTodos(ctx: TodoContext): Promise<TodoItem[]> {
  const list = (status: string) =>
    listCreditRecords({
      tenantId: ctx.tenant._id,
      member: ctx.member,
      filters: { status, page: 1 },
    });
  const [defences, decided] = await Promise.all([list("defenceReceived"), list("decided")]);
  const make = (
    key: string,
    title: "todo.regulator.creditDefences" | "todo.regulator.creditToPublish",
    status: string,
    l: typeof defences,
  ): TodoItem => ({
    key,
    title,
    count: l.total,
    href: `${ctx.base}/credit?status=${status}`,
    deadline: null,
    overdue: false,
    tone: "action",
    entries: l.items
      .slice(0, TODO_ENTRIES_SHOWN)
      .map((r) => ({
        label: r.subjectName,
        href: `${ctx.base}/credit/${r.id}`,
        deadline: null,
        overdue: false,
      })),
  });
  return [
    make("regulator.creditDefences", "todo.regulator.creditDefences", "defenceReceived", defences),
    make("regulator.creditToPublish", "todo.regulator.creditToPublish", "decided", decided),
  ];
}

/** Yearly reports flagged for a revocation review (撤销审查), the list at /yearly-reports?filter=review. */
async function revocationReviewTodos(ctx: TodoContext): Promise<TodoItem[]> {
  const list = await listRevocationReviews({ tenantId: ctx.tenant._id, now: ctx.now });
  return [
    {
      key: "regulator.revocationReviews",
      title: "todo.regulator.revocationReviews",
      count: list.total,
      href: `${ctx.base}/yearly-reports?filter=review`,
      deadline: null,
      overdue: false,
      tone: "action",
      entries: list.items.slice(0, TODO_ENTRIES_SHOWN).map((r) => ({
        label: `${r.enterpriseName} · ${r.certificateNumber}`,
        href: `${ctx.base}/yearly-reports/${r.id}`,
        deadline: null,
        overdue: false,
      })),
    },
  ];
}

export const REGULATOR_TODO_SOURCES: TodoSource[] = [
  {
    key: "regulator.queues",
    anyOf: ["accept:application:any", "approve:application:any"],
    collect: queueTodos,
  },
  { key: "regulator.notices", anyOf: ["certify:application:any"], collect: noticeTodos },
  { key: "regulator.objections", anyOf: ["assign:application:any"], collect: objectionTodos },
  { key: "regulator.credit", anyOf: ["manage:credit:any"], collect: creditTodos },
  { key: "regulator.revocationReviews", anyOf: ["revoke:certificate:any"], collect: revocationReviewTodos },
];
