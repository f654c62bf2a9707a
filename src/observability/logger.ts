import pino, { type Logger } from "pino";

export type { Logger };

// Tokens, codes and secrets never reach a log line, whatever object carries them.
const REDACT = [
  "*.access_token",
  "*.refresh_token",
  "*.accessToken",
  "*.refreshToken",
  "*.client_secret",
  "*.code",
  "*.password",
  "*.token",
  "headers.authorization",
  "headers.cookie",
  "*.headers.authorization",
  "*.headers.cookie",
];

export function createLogger(
  options: { level: string; name?: string },
  destination?: pino.DestinationStream,
): Logger {
  return pino(
    {
      level: options.level,
      name: options.name ?? "runstrong",
      redact: { paths: REDACT, censor: "[redacted]" },
      base: { service: "runstrong" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
