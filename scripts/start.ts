/** `npm start`: production build on the embedded (or configured) database, with demo data on first run. */
import { boot } from "./lib/boot";
import { DatabaseStartError } from "./lib/database";
import { checkSystem, needsEmbeddedDatabase } from "./lib/prerequisites";

process.env.NODE_ENV ??= "production";
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";
const log = (line: string) => process.stdout.write(`${line}\n`);
// The demo installation (demo data on) captures mail as files when no SMTP server is configured;
// without demo data, production refuses to start without SMTP_URL (app/env.server.ts).
if (!process.env.SMTP_URL?.trim() && process.env.SEED_DEMO !== "false" && !process.env.MAIL_CAPTURE) {
  process.env.MAIL_CAPTURE = "true";
  log("SMTP_URL not set: demo mode, emails are written to .data/mail/ (tenant admins: Email outbox → Captured mail).");
}

const problem = checkSystem({ tests: false, embeddedDatabase: needsEmbeddedDatabase(process.env.MONGODB_URI, true), log });
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}

try {
  const app = await boot({ port, host, seed: process.env.SEED_DEMO !== "false", log });
  log(`SafeGrade is running at http://localhost:${port}/t/chengdu  (Ctrl+C to stop)`);
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    log("Stopping…");
    await app.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown());
  process.on("SIGTERM", () => void shutdown());
} catch (error) {
  process.stderr.write(`${error instanceof DatabaseStartError ? error.message : String(error)}\n`);
  process.exit(1);
}
