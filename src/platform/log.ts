// The one logger (pino, Fastify's own): JSON lines, phones, addresses, codes and keys masked.
import { pino, type Logger } from 'pino';
import { redactPaths } from './http.ts';

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: redactPaths, censor: '[masked]' }, serializers: { req: requestForLog } });
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

/**
 * Fastify's request line without the query string: a page form submitted by GET (before or
 * without its script) puts the buyer's mobile and address there, and redaction sees only fields.
 */
function requestForLog(req: LoggedRequest) {
  const url = req.url ?? '';
  const query = url.indexOf('?');
  return {
    method: req.method,
    url: query === -1 ? url : `${url.slice(0, query)}?[masked]`,
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/** 13812345678 -> 138****5678, for the rare log line that must say which number. */
export function maskMobile(mobile: string): string {
  return mobile.length >= 7 ? `${mobile.slice(0, 3)}****${mobile.slice(-4)}` : '****';
}
