import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import * as z from 'zod/mini';
import type { AppConfig } from '#lib/config.js';
import { operatorSettings, setting, settingDefault, settingsOf } from '#shared/config/settings.js';
import { RATE_SETTINGS, type RateSetting, rateMinutesSchema, SCHEDULES } from '#shared/jobs/schedules.js';

/** One runtime setting of a stack: its schema field (type, caps, default, doc) and who takes it. */
export interface StackSetting {
  name: string;
  field: z.ZodMiniType;
  /** Functions (`functions/<name>.ts`) given the variable, or what else reads it (a schedule's rate). */
  consumers: Set<string>;
}

const stackSettings = new WeakMap<Stack, Map<string, StackSetting>>();

/**
 * The stack's settings, filled as its functions are built. The first use adds the stack-wide check: the settings
 * given must parse against ONE schema made of every field taken, so a setting no function has (a typo) fails too.
 */
function registry(scope: IConstruct, config: Pick<AppConfig, 'settings'>): Map<string, StackSetting> {
  const stack = Stack.of(scope);
  const existing = stackSettings.get(stack);
  if (existing) return existing;
  const settings = new Map<string, StackSetting>();
  stackSettings.set(stack, settings);
  stack.node.addValidation({
    validate: () => {
      const result = settingsSchema(stack).safeParse(config.settings);
      return result.success ? [] : [settingsError(result.error)];
    },
  });
  return settings;
}

const settingsError = (error: z.core.$ZodError) =>
  `Invalid settings: ${error.issues
    .map((i) =>
      i.code === 'unrecognized_keys'
        ? `${i.keys.join(', ')}: no function takes this setting`
        : `${i.path.join('.')}: ${i.message}`,
    )
    .join('; ')}`;

/** Records `consumer` as taking setting `name`; its given value, checked by `field` (a refusal throws, naming it). */
function take(
  scope: IConstruct,
  config: Pick<AppConfig, 'settings'>,
  name: string,
  field: z.ZodMiniType,
  consumer: string,
) {
  const settings = registry(scope, config);
  const entry = settings.get(name) ?? { name, field, consumers: new Set<string>() };
  entry.consumers.add(consumer);
  settings.set(name, entry);
  const value = config.settings[name];
  if (value === undefined) return undefined;
  const parsed = z.safeParse(field, value);
  if (!parsed.success) throw new Error(settingsError(prefixed(parsed.error, name)));
  return value;
}

const prefixed = (error: z.core.$ZodError, name: string) =>
  new z.core.$ZodError(error.issues.map((issue) => ({ ...issue, path: [name, ...issue.path] })));

/**
 * The variables of `schema` that are operator settings (`setting()` fields) and were given, as the function's
 * environment gets them; a value its field refuses throws, naming the setting.
 */
export function functionSettings(
  scope: IConstruct,
  config: Pick<AppConfig, 'settings'>,
  functionName: string,
  schema: z.ZodMiniObject,
): Record<string, string> {
  const given: Record<string, string> = {};
  for (const [name, field] of Object.entries(settingsOf(schema))) {
    const value = take(scope, config, name, field, functionName);
    if (value !== undefined) given[name] = value;
  }
  return given;
}

/** Every schedule rate setting (shared/jobs/schedules.ts), as `scheduleRateMinutes` takes them. */
export function rateSettings(
  scope: IConstruct,
  config: Pick<AppConfig, 'settings'>,
): Partial<Record<RateSetting, unknown>> {
  return Object.fromEntries(
    (Object.keys(RATE_SETTINGS) as RateSetting[]).map((rate) => {
      const { env, context, doc } = RATE_SETTINGS[rate];
      const schedules = Object.values(SCHEDULES).filter(
        (schedule) => 'rateSetting' in schedule && schedule.rateSetting === rate,
      );
      const field = setting(z._default(rateMinutesSchema, schedules[0]?.rateMinutes ?? 60), doc);
      const consumer = [...new Set(schedules.map((schedule) => `${schedule.worker} schedules`))].join(', ');
      // The documented context key still works; the settings name wins.
      const value = take(scope, config, env, field, consumer) ?? scope.node.tryGetContext(context);
      return [rate, value];
    }),
  );
}

/** ONE strict schema of every runtime setting the stack's functions (and schedules) take. */
export function settingsSchema(stack: Stack): z.ZodMiniObject {
  const settings = stackSettings.get(stack) ?? new Map<string, StackSetting>();
  return z.strictObject(Object.fromEntries([...settings.values()].map(({ name, field }) => [name, field])));
}

/** The README settings table's rows: name, default, doc, and who takes it; by name. */
export function describeSettings(stack: Stack) {
  return [...(stackSettings.get(stack)?.values() ?? [])]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map(({ name, field, consumers }) => ({
      name,
      default: settingDefault(field),
      doc: operatorSettings.get(field)?.doc ?? '',
      consumers: [...consumers].sort(),
    }));
}
