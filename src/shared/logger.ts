import pino, { Logger } from 'pino';

export type { Logger };

/**
 * Structured JSON logs. Tokens must never reach a log line: the known secret-bearing fields are redacted, and
 * anything that looks like a Google access/refresh token or a sealed value is masked in messages as a last guard.
 */
const TOKEN_PATTERN = /(ya29\.[\w-]{10,}|1\/\/[\w-]{20,}|v1\.[\w-]{40,}|v2\.[\w-]{1,16}\.[\w-]{40,}|code=[^&\s"]+)/g;

export function maskSecrets(text: string): string {
  return text.replace(TOKEN_PATTERN, (m) => (m.startsWith('code=') ? 'code=[redacted]' : '[redacted]'));
}

/** `destination` defaults to stdout; tests pass one to read what would have been logged. */
export function createLogger(role: string, level = process.env.LOG_LEVEL ?? 'info', destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { role },
    redact: {
      paths: [
        'access_token', 'refresh_token', 'token', 'sealedRefreshToken', 'sealed_refresh_token', 'authorization',
        '*.access_token', '*.refresh_token', '*.token', '*.sealedRefreshToken', '*.sealed_refresh_token',
        'req.headers.authorization', 'headers.authorization', '*.headers.authorization', 'state', 'code',
      ],
      censor: '[redacted]',
    },
    hooks: {
      logMethod(args, method) {
        method.apply(this, args.map((a) => (typeof a === 'string' ? maskSecrets(a) : a)) as Parameters<typeof method>);
      },
    },
    formatters: { level: (label) => ({ level: label }) },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
