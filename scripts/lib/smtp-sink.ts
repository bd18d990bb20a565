/**
 * A local SMTP server for tests and the benchmark (smtp-server): accepts mail on 127.0.0.1,
 * keeps each raw message, can refuse recipients permanently (550) or temporarily (451), and can
 * be stopped and started again on the same port ("the mail server is down, then back"), or hold
 * every recipient unanswered until released ("a slow mail server": the sender is stuck mid-send).
 */
import { simpleParser, type ParsedMail } from "mailparser";
import { SMTPServer, type SMTPServerAddress } from "smtp-server";

export type SinkMode = "accept" | "reject550" | "tempfail451";

export type SmtpSink = {
  port: number;
  url: string;
  raw: Buffer[];
  /** How recipients are treated from now on (per address; default "accept"). */
  setMode(mode: SinkMode, address?: string): void;
  parsed(): Promise<ParsedMail[]>;
  /** From now on, leave RCPT TO unanswered (nothing is delivered) until `release()`. */
  hold(): void;
  /** Answers the held recipients (a sender that died meanwhile gets nothing delivered) and stops holding. */
  release(): void;
  /** How many recipients wait for an answer. */
  heldCount(): number;
  stop(): Promise<void>;
  start(): Promise<void>;
  running(): boolean;
};

function smtpError(message: string, code: number): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

export async function startSmtpSink(port = 0): Promise<SmtpSink> {
  const raw: Buffer[] = [];
  const modes = new Map<string, SinkMode>();
  let defaultMode: SinkMode = "accept";
  let holding = false;
  const held: Array<() => void> = [];
  let server: SMTPServer | null = null;
  let boundPort = port;

  const make = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ["STARTTLS", "AUTH"],
      logger: false,
      size: 20 * 1024 * 1024,
      onRcptTo(address: SMTPServerAddress, _session, callback) {
        if (holding) {
          held.push(() => callback());
          return;
        }
        const mode = modes.get(address.address.toLowerCase()) ?? defaultMode;
        if (mode === "reject550") return callback(smtpError("5.1.1 Mailbox unavailable", 550));
        if (mode === "tempfail451") return callback(smtpError("4.3.0 Try again later", 451));
        callback();
      },
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on("data", (c: Buffer) => chunks.push(c));
        stream.on("end", () => {
          raw.push(Buffer.concat(chunks));
          callback();
        });
      },
    });

  const start = () =>
    new Promise<void>((resolve, reject) => {
      const s = make();
      s.on("error", () => {});
      const onError = (error: Error) => reject(error);
      s.server.once("error", onError);
      s.listen(boundPort, "127.0.0.1", () => {
        s.server.off("error", onError);
        const address = s.server.address();
        if (address && typeof address === "object") boundPort = address.port;
        server = s;
        resolve();
      });
    });

  await start();
  return {
    get port() {
      return boundPort;
    },
    get url() {
      return `smtp://127.0.0.1:${boundPort}`;
    },
    raw,
    setMode(mode, address) {
      if (address) modes.set(address.toLowerCase(), mode);
      else defaultMode = mode;
    },
    parsed: () => Promise.all(raw.map((r) => simpleParser(r))),
    hold() {
      holding = true;
    },
    release() {
      holding = false;
      for (const answer of held.splice(0)) answer();
    },
    heldCount: () => held.length,
    stop: () =>
      new Promise<void>((resolve) => {
        const s = server;
        server = null;
        if (!s) return resolve();
        s.close(() => resolve());
      }),
    start,
    running: () => server !== null,
  };
}
