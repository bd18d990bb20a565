/**
 * Reviewers' and administrators' to-dos: review panels with their due dates
 * (listReviewAssignments), registrations to approve (listRegistrations), failed emails (listOutbox).
 */
import { TODO_ENTRIES_SHOWN, earliest, type TodoItem } from "~/lib/todo";
import { listReviewAssignments } from "../grading-views.server";
import { listOutbox } from "../outbox.server";
import { listRegistrations } from "../registrations.server";
import { isPast, type TodoContext, type TodoSource } from "./types.server";

async function reviewTodos(ctx: TodoContext): Promise<TodoItem[]> {
  const all = await listReviewAssignments({
    tenantId: ctx.tenant._id,
    reviewerId: ctx.member.user._id,
    now: ctx.now,
  });
  const running = all.filter(
    (a) => a.state === "reviewAssigned" || a.state.startsWith("underReview"),
  );
  const entries = running.slice(0, TODO_ENTRIES_SHOWN).map((a) => {
    const due = a.deadlines.reviewBy ?? null;
    return {
      label: `${a.enterpriseName}（${a.cycle}）`,
      href: `${ctx.base}/reviews/${a.id}`,
      deadline: due,
      overdue: isPast(due, ctx.now),
    };
  });
  const deadline = earliest(running.map((a) => a.deadlines.reviewBy ?? null));
  return [
    {
      key: "reviewer.panels",
      title: "todo.reviewer.panels",
      count: running.length,
      href: `${ctx.base}/reviews`,
      deadline,
      deadlineLabel: "todo.deadline.reviewBy",
      overdue: isPast(deadline, ctx.now),
      tone: "action",
      entries,
    },
  ];
}

async function registrationTodos(ctx: TodoContext): Promise<TodoItem[]> {
  // As the registrations page shows them: the member's districts, no decided ones.
  const { open } = await listRegistrations({ tenantId: ctx.tenant._id, recentLimit: 0, scope: ctx.member });
  return [
    {
      key: "admin.registrations",
      title: "todo.admin.registrations",
      count: open.length,
      href: `${ctx.base}/registrations`,
      deadline: null,
      overdue: false,
      tone: "action",
      entries: open
        .slice(0, TODO_ENTRIES_SHOWN)
        .map((r) => ({
          label: r.enterprise.name,
          href: `${ctx.base}/registrations`,
          deadline: null,
          overdue: false,
        })),
    },
  ];
}

async function failedEmailTodos(ctx: TodoContext): Promise<TodoItem[]> {
  const list = await listOutbox({ tenantId: ctx.tenant._id, status: "failed" });
  return [
    {
      key: "admin.failedEmails",
      title: "todo.admin.failedEmails",
      count: list.total,
      href: `${ctx.base}/admin/outbox?status=failed`,
      deadline: null,
      overdue: false,
      tone: "warning",
      entries: list.items
        .slice(0, TODO_ENTRIES_SHOWN)
        .map((m) => ({
          label: m.to,
          href: `${ctx.base}/admin/outbox/${String(m._id)}`,
          deadline: null,
          overdue: false,
        })),
    },
  ];
}

export const PEOPLE_TODO_SOURCES: TodoSource[] = [
  {
    key: "reviewer.panels",
    anyOf: ["review:assessment:assigned"],
    applies: (ctx) => ctx.member.roles.includes("reviewer"),
    collect: reviewTodos,
  },
  { key: "admin.registrations", anyOf: ["approve:registration:any"], collect: registrationTodos },
  { key: "admin.failedEmails", anyOf: ["read:outbox:any"], collect: failedEmailTodos },
];
