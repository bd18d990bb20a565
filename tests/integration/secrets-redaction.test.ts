/**
 * Secrets never reach a page (issue 15): after a password reset and an invitation, every admin page
 * the tenant admin can open — outbox list and each message (before and after sending), captured
 * mail list and each captured mail, template previews, audit log, users — holds no token and no
 * link with a token. Only the recipient's mailbox (a real smtp-server) holds them.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OutboxMessage } from "../../models/outbox-message";
import { capturePageAvailable, createMailTransport, type MailTransport } from "~/data/mail-transport.server";
import { runOutboxWorker } from "~/data/outbox-worker.server";
import { parseEnv } from "~/env.server";
import { loader as auditLoader } from "~/routes/t.$slug.admin.audit";
import { loader as previewLoader } from "~/routes/t.$slug.admin.emails";
import { loader as detailLoader } from "~/routes/t.$slug.admin.outbox.$id";
import { loader as listLoader } from "~/routes/t.$slug.admin.outbox._index";
import { loader as capturedLoader } from "~/routes/t.$slug.admin.outbox.captured";
import { action as usersAction, loader as usersLoader } from "~/routes/t.$slug.admin.users";
import { action as forgotAction } from "~/routes/t.$slug.forgot-password";
import { startSmtpSink, type SmtpSink } from "../../scripts/lib/smtp-sink";
import { cookieFor, createMember, createTenant } from "../factories";
import { callAction, callLoader } from "../route-helpers";

// Read by the app's environment on first use (after this module runs): the tests' configuration
// captures mail, so the capture page is live and must be covered too.
const captureDir = mkdtempSync(path.join(os.tmpdir(), "sg-secret-mail-"));
process.env.MAIL_CAPTURE_DIR = captureDir;

let sink: SmtpSink;
let smtp: MailTransport;
let capture: MailTransport;
/** Delivers to the real SMTP server (the recipient's mailbox) and to the capture directory. */
let both: MailTransport;
beforeAll(async () => {
  sink = await startSmtpSink();
  smtp = createMailTransport({ kind: "smtp", url: sink.url });
  capture = createMailTransport({ kind: "capture", dir: captureDir });
  both = {
    kind: "smtp",
    async send(message) {
      await capture.send(message);
      return smtp.send(message);
    },
    close() {},
  };
});
afterAll(async () => {
  smtp.close();
  capture.close();
  await sink.stop();
  rmSync(captureDir, { recursive: true, force: true });
});

function secretsOf(link: string): string[] {
  const token = new URL(link).pathname.split("/").pop() ?? "";
  expect(token.length).toBeGreaterThanOrEqual(43);
  return [link, token];
}

function expectNoSecret(page: string, body: unknown, secrets: string[]) {
  const text = typeof body === "string" ? body : JSON.stringify(body);
  for (const secret of secrets) expect(text.includes(secret), `${page} shows a secret`).toBe(false);
}

describe("secrets in mail", () => {
  it("no admin page shows a reset or invitation token; the recipient's mailbox has both", async () => {
    const tenant = await createTenant();
    const { user: admin } = await createMember(tenant._id, "tenant_admin");
    const { user: regulator } = await createMember(tenant._id, "regulator");
    const cookie = await cookieFor(admin._id);
    const slug = tenant.slug;
    const params = { slug };

    const forgot = await callAction(forgotAction, `/t/${slug}/forgot-password`, params, { form: { email: regulator.email } });
    expect(forgot.status).toBe(200);
    const invited = await callAction(usersAction, `/t/${slug}/admin/users`, params, {
      cookie,
      form: { intent: "invite", email: "new.expert@example.com", role: "reviewer", enterpriseId: "" },
    });
    expect(invited.status).toBe(200);

    const queued = await OutboxMessage.find({ tenantId: tenant._id }).lean();
    const reset = queued.find((m) => m.template === "password-reset");
    const invitation = queued.find((m) => m.template === "invitation");
    const secrets = [...secretsOf(String(reset?.data.link)), ...secretsOf(String(invitation?.data.link))];
    expectNoSecret("invite action", invited.data, secrets);

    async function readEveryPage(sent: boolean) {
      const list = await callLoader(listLoader, `/t/${slug}/admin/outbox`, params, { cookie });
      expect(list.status).toBe(200);
      expectNoSecret("outbox list", list.data, secrets);
      const items = (list.data as { items: Array<{ id: string }> }).items;
      expect(items).toHaveLength(2);
      for (const item of items) {
        const detail = await callLoader(detailLoader, `/t/${slug}/admin/outbox/${item.id}`, { slug, id: item.id }, { cookie });
        expect(detail.status).toBe(200);
        expectNoSecret("outbox message", detail.data, secrets);
        const m = (detail.data as { message: { data: string; status: string } }).message;
        expect(m.status).toBe(sent ? "sent" : "pending");
        expect(m.data).toContain("••••••");
      }
      const captured = await callLoader(capturedLoader, `/t/${slug}/admin/outbox/captured`, params, { cookie });
      expect(captured.status).toBe(200);
      expectNoSecret("captured list", captured.data, secrets);
      const files = (captured.data as { mails: Array<{ file: string }> }).mails;
      expect(files).toHaveLength(sent ? 2 : 0);
      for (const { file } of files) {
        const one = await callLoader(capturedLoader, `/t/${slug}/admin/outbox/captured?file=${encodeURIComponent(file)}`, params, {
          cookie,
        });
        expect(one.status).toBe(200);
        expectNoSecret("captured mail", one.data, secrets);
        const selected = (one.data as { selected: { html: string; text: string } }).selected;
        expect(selected.text).toContain("••••••");
        expect(selected.html).toContain("••••••");
      }
      const previews = await callLoader(previewLoader, `/t/${slug}/admin/emails`, params, { cookie });
      expect(previews.status).toBe(200);
      expectNoSecret("previews", previews.data, [...secrets, "SAMPLE-TOKEN"]);
      const audit = await callLoader(auditLoader, `/t/${slug}/admin/audit`, params, { cookie });
      expect(audit.status).toBe(200);
      expectNoSecret("audit log", audit.data, secrets);
      const users = await callLoader(usersLoader, `/t/${slug}/admin/users`, params, { cookie });
      expect(users.status).toBe(200);
      expectNoSecret("users", users.data, secrets);
    }

    await readEveryPage(false);
    for (let i = 0; i < 5; i += 1) {
      const run = await runOutboxWorker({ transport: both, batchSize: 50 });
      if (run.claimed === 0) break;
    }
    await readEveryPage(true);

    const mailbox = await sink.parsed();
    const resetMail = mailbox.find((m) => m.subject?.includes("密码") || m.subject?.includes("password"));
    const inviteMail = mailbox.find((m) => m !== resetMail);
    expect(mailbox).toHaveLength(2);
    expect(resetMail?.text).toContain(String(reset?.data.link));
    expect(inviteMail?.text).toContain(String(invitation?.data.link));
  });

  it("the capture page is a development aid: never served in production", () => {
    const base = { MONGODB_URI: "mongodb://127.0.0.1:27017/x", SESSION_SECRET: "x".repeat(40) };
    expect(capturePageAvailable(parseEnv({ ...base, NODE_ENV: "test" }))).toBe(true);
    expect(capturePageAvailable(parseEnv({ ...base, NODE_ENV: "development" }))).toBe(true);
    expect(capturePageAvailable(parseEnv({ ...base, NODE_ENV: "production", MAIL_CAPTURE: "true" }))).toBe(false);
    expect(capturePageAvailable(parseEnv({ ...base, NODE_ENV: "development", SMTP_URL: "smtp://127.0.0.1:2525" }))).toBe(false);
  });
});
