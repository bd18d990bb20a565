/** `npm start`: production build on the embedded (or configured) database, with demo data on first run. */
import { boot } from "./lib/boot";
import { DatabaseStartError } from "./lib/database";

process.env.NODE_ENV ??= "production";
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? "127.0.0.1";
const log = (line: string) => process.stdout.write(`${line}\n`);

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
