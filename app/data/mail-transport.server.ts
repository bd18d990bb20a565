/**
 * How mail leaves the app: nodemailer over SMTP (SMTP_URL), or — in development, tests and the
 * demo — a capture transport that writes each message as an .eml file under MAIL_CAPTURE_DIR
 * (default .data/mail). Capture is only a transport: messages still go through the outbox and
 * the worker. File names start with the tenant id so the capture page shows a tenant its own mail.
 */
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { simpleParser } from "mailparser";
import nodemailer from "nodemailer";
import type Mail from "nodemailer/lib/mailer";
import { getEnv, mailTransportConfig, type Env } from "~/env.server";

export type MailTransport = {
  kind: "smtp" | "capture";
  /** Sends one message; resolves with the server's reply, rejects with nodemailer's error. */
  send(message: Mail.Options & { tenantId: string; outboxId: string }): Promise<{ response: string }>;
  close(): void;
};

export type TransportConfig = { kind: "smtp"; url: string; pool?: boolean } | { kind: "capture"; dir: string };

export function createMailTransport(config: TransportConfig): MailTransport {
  if (config.kind === "smtp") {
    const transporter = nodemailer.createTransport({
      url: config.url,
      pool: config.pool ?? false,
      maxConnections: 3,
      // A hung server must fail well inside the worker's lease (OUTBOX_LEASE_MS).
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    } as Parameters<typeof nodemailer.createTransport>[0]);
    return {
      kind: "smtp",
      async send({ tenantId: _tenantId, outboxId: _outboxId, ...message }) {
        const info = (await transporter.sendMail(message)) as { response?: string };
        return { response: String(info.response ?? "") };
      },
      close: () => transporter.close(),
    };
  }
  const transporter = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: "unix" });
  return {
    kind: "capture",
    async send({ tenantId, outboxId, ...message }) {
      const info = (await transporter.sendMail(message)) as { message: Buffer };
      await mkdir(config.dir, { recursive: true });
      const name = `${tenantId}--${Date.now()}--${outboxId}.eml`;
      await writeFile(path.join(config.dir, name), info.message);
      return { response: `captured ${name}` };
    },
    close: () => transporter.close(),
  };
}

let shared: MailTransport | undefined;

/** The app's transport (pooled SMTP connections, or capture), created on first use. */
export function defaultMailTransport(): MailTransport {
  if (!shared) {
    const config = mailTransportConfig();
    shared = createMailTransport(config.kind === "smtp" ? { ...config, pool: true } : config);
  }
  return shared;
}

/** Closes the shared transport's pooled connections (command-line runs, shutdown). */
export function closeDefaultMailTransport(): void {
  shared?.close();
  shared = undefined;
}

export function mailCaptureActive(): boolean {
  return mailTransportConfig().kind === "capture";
}

/**
 * The capture page is a development aid: never served in production (a demo with MAIL_CAPTURE=true
 * keeps its .eml files on disk, where the operator reads them), and it shows secrets redacted.
 */
export function capturePageAvailable(env: Env = getEnv()): boolean {
  return mailTransportConfig(env).kind === "capture" && env.NODE_ENV !== "production";
}

function captureDir(): string {
  return path.resolve(getEnv().MAIL_CAPTURE_DIR);
}

export type CapturedMail = { file: string; outboxId: string; at: Date; to: string; subject: string; messageId: string };

const FILE = /^([0-9a-f]{24})--(\d+)--([0-9a-f]{24})\.eml$/;

/** The tenant's captured mails, newest first (the capture page; only while capture is active). */
export async function listCapturedMail({ tenantId, limit = 100 }: { tenantId: string; limit?: number }): Promise<CapturedMail[]> {
  let names: string[];
  try {
    names = await readdir(captureDir());
  } catch {
    return [];
  }
  const mine = names
    .map((name) => ({ name, match: FILE.exec(name) }))
    .filter((f) => f.match?.[1] === tenantId)
    .sort((a, b) => Number(b.match?.[2]) - Number(a.match?.[2]))
    .slice(0, limit);
  const out: CapturedMail[] = [];
  for (const f of mine) {
    const parsed = await simpleParser(await readFile(path.join(captureDir(), f.name)));
    out.push({
      file: f.name,
      outboxId: f.match?.[3] ?? "",
      at: new Date(Number(f.match?.[2])),
      to: parsed.to ? (Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join(", ") : parsed.to.text) : "",
      subject: parsed.subject ?? "",
      messageId: parsed.messageId ?? "",
    });
  }
  return out;
}

export type CapturedMailDetail = CapturedMail & {
  html: string;
  text: string;
  from: string;
  attachments: Array<{ filename: string; contentType: string; size: number }>;
};

export async function readCapturedMail({ tenantId, file }: { tenantId: string; file: string }): Promise<CapturedMailDetail | null> {
  const match = FILE.exec(file);
  if (!match || match[1] !== tenantId) return null;
  let raw: Buffer;
  try {
    raw = await readFile(path.join(captureDir(), file));
  } catch {
    return null;
  }
  const parsed = await simpleParser(raw);
  return {
    file,
    outboxId: match[3] ?? "",
    at: new Date(Number(match[2])),
    to: parsed.to ? (Array.isArray(parsed.to) ? parsed.to.map((a) => a.text).join(", ") : parsed.to.text) : "",
    from: parsed.from?.text ?? "",
    subject: parsed.subject ?? "",
    messageId: parsed.messageId ?? "",
    html: typeof parsed.html === "string" ? parsed.html : "",
    text: parsed.text ?? "",
    attachments: parsed.attachments.map((a) => ({ filename: a.filename ?? "", contentType: a.contentType, size: a.size })),
  };
}
