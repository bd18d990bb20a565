import { z } from "zod";

const schema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    MONGODB_URI: z.string().min(1, "MONGODB_URI must be set (the start script sets it for the embedded database)"),
    SESSION_SECRET: z.string().optional(),
    APP_URL: z.string().url().default("http://localhost:3000"),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    SEED_DEMO: z.enum(["true", "false", ""]).optional(),
    // Email (Step 7, docs/decisions/008-outbox.md)
    SMTP_URL: z
      .string()
      .optional()
      .transform((v) => (v?.trim() ? v.trim() : undefined))
      .refine((v) => v === undefined || isSmtpUrl(v), "must be an smtp:// or smtps:// URL, e.g. smtps://user:pass@smtp.example.com:465"),
    MAIL_FROM: z
      .string()
      .default("SafeGrade <no-reply@safegrade.local>")
      .refine((v) => mailAddressOf(v) !== null, "must be an email address, optionally with a name: Name <user@example.com>"),
    /** Write mails to MAIL_CAPTURE_DIR instead of sending (default when SMTP_URL is unset outside production). */
    MAIL_CAPTURE: z.enum(["true", "false", ""]).optional(),
    MAIL_CAPTURE_DIR: z.string().default(".data/mail"),
    OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(8),
    OUTBOX_BACKOFF_MS: z.coerce.number().int().min(1).default(60_000),
    OUTBOX_LEASE_MS: z.coerce.number().int().min(1000).default(120_000),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === "production" && (!env.SESSION_SECRET || env.SESSION_SECRET.length < 32)) {
      ctx.addIssue({ code: "custom", path: ["SESSION_SECRET"], message: "must be set to at least 32 characters in production" });
    }
    if (env.NODE_ENV === "production" && !env.SMTP_URL && env.MAIL_CAPTURE !== "true") {
      ctx.addIssue({
        code: "custom",
        path: ["SMTP_URL"],
        message: "must be set in production (or set MAIL_CAPTURE=true to write mails to files, for a demo)",
      });
    }
  });

function isSmtpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "smtp:" || url.protocol === "smtps:") && url.hostname !== "";
  } catch {
    return false;
  }
}

const ADDRESS = /^[^\s@<>()",;:]+@[^\s@<>()",;:]+\.[^\s@<>()",;:]+$/;

/** `user@example.com` or `Name <user@example.com>` → the address; null when it is neither. */
export function mailAddressOf(value: string): string | null {
  const trimmed = value.trim();
  const angled = /^[^<>]*<([^<>]+)>$/.exec(trimmed);
  const address = angled?.[1]?.trim() ?? trimmed;
  return ADDRESS.test(address) ? address : null;
}

export type Env = z.infer<typeof schema>;
let cached: Env | undefined;

/** Parsed once; a bad environment stops the process with one readable message per variable. */
export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}

/** Start-up only: APP_URL is settled once the server knows its real port (scripts/lib/boot.ts). */
export function resetEnvCache(): void {
  cached = undefined;
}

/** Validates an environment (exported for tests: production without SMTP_URL must not start). */
export function parseEnv(source: Record<string, string | undefined>): Env {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join("\n")}`);
  }
  return parsed.data;
}

/** How mail leaves: real SMTP, or captured as .eml files (development, tests, demo). */
export function mailTransportConfig(env: Env = getEnv()): { kind: "smtp"; url: string } | { kind: "capture"; dir: string } {
  if (env.SMTP_URL && env.MAIL_CAPTURE !== "true") return { kind: "smtp", url: env.SMTP_URL };
  return { kind: "capture", dir: env.MAIL_CAPTURE_DIR };
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
