import { pingDb } from "~/db.server";

export async function loader() {
  const db = await pingDb();
  const body = {
    status: db.ok ? "ok" : "degraded",
    app: { ok: true, uptimeSeconds: Math.round(process.uptime()) },
    database: db.ok ? { ok: true, latencyMs: db.latencyMs } : { ok: false, error: "unreachable" },
    time: new Date().toISOString(),
  };
  return new Response(JSON.stringify(body), {
    status: db.ok ? 200 : 503,
    headers: { "Content-Type": "application/json; charset=utf-8", "Cache-Control": "no-store" },
  });
}
