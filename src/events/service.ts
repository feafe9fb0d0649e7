// STUB — replaced by the events feature.
import type { AppContext } from '../platform/context.ts';

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface EventsService {}

export function createEventsService(_ctx: AppContext, ..._deps: unknown[]): EventsService {
  return {};
}
