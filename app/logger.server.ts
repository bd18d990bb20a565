import pino from "pino";

export const logger = pino({
  level: process.env.LOG_LEVEL ?? (process.env.NODE_ENV === "test" ? "silent" : "info"),
  base: { app: "safegrade" },
  // Links in mail data carry invitation/reset tokens (emails/redact.ts): never in a log line.
  redact: [
    "password",
    "*.password",
    "token",
    "*.token",
    "link",
    "*.link",
    "data.link",
    "*.data.link",
    "req.headers.cookie",
  ],
});
