// Live metrics over server-sent events. One poller per watched event, however many watch it: every
// poll it reads a cheap fingerprint (paid orders, units reserved; indexes only) and recomputes the
// summary only when that changed (or after metricsStreamRefreshMs, for refunds), then writes the same
// frame to every subscriber. The poller starts with the first subscriber and stops with the last.
// Polling runs on real timers: it is wall-clock work (how often to look), while the figures and their
// asOf come from the injected clock like everything else; tests keep the manual clock and still see
// the stream move.
import { performance } from 'node:perf_hooks';
import type { FastifyBaseLogger } from 'fastify';
import { AppError } from '../platform/errors.ts';
import type { EventSummary, MetricsService } from './service.ts';

/** Where frames go: one open response. */
export interface StreamSink {
  /** Writes a frame; false when the client cannot keep up (the hub then drops it). */
  write(frame: string): boolean;
  end(): void;
}

export interface StreamSettings {
  pollMs: number;
  heartbeatMs: number;
  refreshMs: number;
  perEventMax: number;
  totalMax: number;
}

/** Milliseconds a browser waits before reconnecting (sent as `retry:` on every connection). */
export const RETRY_MS = 3000;

export function metricsFrame(summary: EventSummary): string {
  return `event: metrics\ndata: ${JSON.stringify(summary)}\n\n`;
}

export const HEARTBEAT_FRAME = ': keep-alive\n\n';
export const RETRY_FRAME = `retry: ${RETRY_MS}\n\n`;

interface Watch {
  eventId: string;
  sinks: Set<StreamSink>;
  timer: NodeJS.Timeout;
  fingerprint: string | null;
  frame: string | null;
  polling: boolean;
  ticks: number;
  ticksSinceCompute: number;
  /** Real-time ms before which no recompute starts (adaptive: see COMPUTE_SHARE_MAX). */
  computeNotBefore: number;
}

/**
 * At most this share of wall time goes to one event's summary: after a recompute that took d ms the
 * next waits at least d / COMPUTE_SHARE_MAX - d ms (on a huge event, fewer updates rather than a
 * database kept busy by the dashboard during the burst).
 */
const COMPUTE_SHARE_MAX = 0.25;

export interface MetricsStreamHub {
  /** Throws STREAM_LIMIT_REACHED (or NOT_READY while closing) when one more subscriber would not fit. */
  assertRoom(eventId: string): void;
  /** Adds a subscriber to an event's stream (already authorised); STREAM_LIMIT_REACHED past the limits. Returns its unsubscribe. */
  subscribe(eventId: string, sink: StreamSink): () => void;
  /** One frame of the event's current summary (the shared one when the event is watched). */
  snapshot(eventId: string): Promise<string>;
  /** Subscribers now: per event and in all. */
  counts(): { total: number; events: number };
  /** Ends every stream and stops every poller (server shutdown). */
  close(): void;
}

export function createMetricsStreamHub(metrics: MetricsService, settings: StreamSettings, log: FastifyBaseLogger): MetricsStreamHub {
  const watches = new Map<string, Watch>();
  let total = 0;
  let closed = false;
  const heartbeatTicks = Math.max(1, Math.round(settings.heartbeatMs / settings.pollMs));
  const refreshTicks = Math.max(1, Math.round(settings.refreshMs / settings.pollMs));

  function drop(watch: Watch, sink: StreamSink): void {
    if (!watch.sinks.delete(sink)) return;
    total -= 1;
    sink.end();
    if (watch.sinks.size === 0) {
      clearInterval(watch.timer);
      watches.delete(watch.eventId);
    }
  }

  function broadcast(watch: Watch, frame: string): void {
    for (const sink of [...watch.sinks]) {
      if (!sink.write(frame)) drop(watch, sink);
    }
  }

  async function poll(watch: Watch): Promise<void> {
    // One poll at a time per event: a slow query makes the next tick skip, never pile up.
    if (watch.polling) return;
    watch.polling = true;
    try {
      watch.ticks += 1;
      watch.ticksSinceCompute += 1;
      const fingerprint = await metrics.eventFingerprint(watch.eventId);
      const due = fingerprint !== watch.fingerprint || watch.frame === null || watch.ticksSinceCompute >= refreshTicks;
      if (due && performance.now() >= watch.computeNotBefore) {
        const started = performance.now();
        const frame = metricsFrame(await metrics.eventSummary(watch.eventId));
        const tookMs = performance.now() - started;
        watch.computeNotBefore = started + tookMs / COMPUTE_SHARE_MAX;
        watch.fingerprint = fingerprint;
        watch.ticksSinceCompute = 0;
        if (frame !== watch.frame) {
          watch.frame = frame;
          broadcast(watch, frame);
        }
      }
      if (watch.ticks % heartbeatTicks === 0) broadcast(watch, HEARTBEAT_FRAME);
    } catch (error) {
      log.warn({ err: error, eventId: watch.eventId }, 'metrics stream poll failed; retrying on the next tick');
    } finally {
      watch.polling = false;
    }
  }

  function assertRoom(eventId: string): void {
    if (closed) throw new AppError('NOT_READY');
    const watching = watches.get(eventId)?.sinks.size ?? 0;
    if (total >= settings.totalMax || watching >= settings.perEventMax) {
      throw new AppError('STREAM_LIMIT_REACHED', undefined, { perEventMax: settings.perEventMax, totalMax: settings.totalMax });
    }
  }

  return {
    assertRoom,

    subscribe(eventId, sink) {
      assertRoom(eventId);
      let watch = watches.get(eventId);
      if (!watch) {
        const created: Watch = {
          eventId, sinks: new Set(), fingerprint: null, frame: null, polling: false, ticks: 0, ticksSinceCompute: 0, computeNotBefore: 0,
          timer: setInterval(() => void poll(created), settings.pollMs),
        };
        // A stream alone never keeps the process alive: shutdown ends it through close().
        created.timer.unref();
        watches.set(eventId, created);
        watch = created;
      }
      watch.sinks.add(sink);
      total += 1;
      sink.write(RETRY_FRAME);
      // The latest frame at once; a new watch computes its first now rather than a poll later.
      if (watch.frame !== null) {
        if (!sink.write(watch.frame)) drop(watch, sink);
      } else {
        void poll(watch);
      }
      const own = watch;
      return () => drop(own, sink);
    },

    async snapshot(eventId) {
      return watches.get(eventId)?.frame ?? metricsFrame(await metrics.eventSummary(eventId));
    },

    counts() {
      return { total, events: watches.size };
    },

    close() {
      closed = true;
      for (const watch of [...watches.values()]) {
        for (const sink of [...watch.sinks]) drop(watch, sink);
      }
    },
  };
}
