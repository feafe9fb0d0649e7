// STUB — replaced by the events feature.
import type { App } from '../platform/http.ts';
import type { EventsService } from './service.ts';

export async function eventsRoutes(_app: App, _service: EventsService): Promise<void> {}
