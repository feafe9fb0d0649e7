// The one logger (pino, Fastify's own): JSON lines, phones, addresses, codes and keys masked.
import { pino, type Logger } from 'pino';
import { redactPaths } from './http.ts';

export function createLogger(level: string): Logger {
  return pino({ level, redact: { paths: redactPaths, censor: '[masked]' } });
}

/** 13812345678 -> 138****5678, for the rare log line that must say which number. */
export function maskMobile(mobile: string): string {
  return mobile.length >= 7 ? `${mobile.slice(0, 3)}****${mobile.slice(-4)}` : '****';
}
