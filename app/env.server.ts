import { z } from "zod";

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    MONGODB_URI: z.string().min(1, "MONGODB_URI must be set (the start script sets it for the embedded database)"),
    SESSION_SECRET: z.string().optional(),
    APP_URL: z.string().url().default("http://localhost:3000"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    SEED_DEMO: z.enum(["true", "false", ""]).optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === "production" && (!env.SESSION_SECRET || env.SESSION_SECRET.length < 32)) {
      ctx.addIssue({ code: "custom", path: ["SESSION_SECRET"], message: "must be set to at least 32 characters in production" });
    }
  });

export type Env = z.infer<typeof schema>;
let cached: Env | undefined;

/** Parsed once; a bad environment stops the process with one readable message per variable. */
export function getEnv(): Env {
  if (cached) return cached;
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  cached = parsed.data;
  return cached;
}

export function sessionSecrets(): string[] {
  const raw = getEnv().SESSION_SECRET;
  // Development and tests without a secret get a fixed, clearly non-production one.
  const secrets = (raw ?? "safegrade-development-secret-do-not-use-in-production")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return secrets;
}
