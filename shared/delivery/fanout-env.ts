import * as z from 'zod/mini';
import { baseEnvSchema } from '#shared/config/env.js';
import { setting } from '#shared/config/settings.js';
import { eventTypeList, unknownEventTypes } from '#shared/delivery/catalogue.js';
import { endpointSettingsEnvSchema, lakeEnvSchema } from '#shared/delivery/env.js';
import { queueProducerEnv } from '#shared/jobs/queue-env.js';

// Apart from shared/delivery/env.ts, which every emitting function imports: only the fan-out needs the catalogue.

/** The fan-out worker: endpoints to match, deliveries to queue, and the two AWS-native sinks when configured. */
export const eventFanoutEnvSchema = z.extend(baseEnvSchema, {
  ...endpointSettingsEnvSchema.shape,
  ...queueProducerEnv.webhookDeliveries.shape,
  /** The EventBridge bus the events are put on; unset: none. */
  EVENT_BUS_NAME: z.optional(z.string().check(z.minLength(1))),
  // EventBridge bills every event put, matched by a rule or not: an integrator's rules may need only a few types.
  EVENT_BUS_EVENT_TYPES: setting(
    z.optional(
      z.pipe(z.string().check(z.maxLength(2048)), z.transform(eventTypeList)).check(
        z.superRefine((list, ctx) => {
          const unknown = unknownEventTypes(list);
          if (list.length === 0 || unknown.length > 0) {
            ctx.addIssue({
              code: 'custom',
              input: list,
              message:
                list.length === 0
                  ? 'name at least one event type (or turn the bus off: -c eventBus=false)'
                  : `not event types of GET /api/v1/webhooks/event-types: ${unknown.join(', ')}`,
            });
          }
        }),
      ),
    ),
    'event types put on the event bus, comma-separated: names or prefixes ending in `*` (`sync.*`), `!` to leave out (`!series.*`); unset: every event',
  ),
  ...lakeEnvSchema.shape,
});
