import * as z from 'zod/mini';

export interface SettingMeta {
  /** One line for the README settings table. */
  doc: string;
}

/**
 * Operator settings: the env variables an operator chooses (token lifetimes, switches, retention), as opposed to what
 * the stack wires itself (table, queue URLs, secret ARNs). A variable is one when its field in an env schema is
 * wrapped in `setting()`; the stack then takes it from `-c settings='{...}'` or `-c NAME=value` and gives it to every
 * function whose schema has that field (lib/settings.ts). The sandbox reads the same variables from its environment.
 */
export const operatorSettings = z.registry<SettingMeta>();

/** Declares an env schema field an operator setting: its zod type (with caps) and default are the field's. */
export function setting<S extends z.ZodMiniType>(schema: S, doc: string): S {
  operatorSettings.add(schema, { doc });
  return schema;
}

/** The operator settings among the fields of `schema`, by variable name. */
export function settingsOf(schema: z.ZodMiniObject): Record<string, z.ZodMiniType> {
  // Every schema of ours is a zod/mini one; a shape only promises the core type.
  const fields = Object.entries(schema.shape) as [string, z.ZodMiniType][];
  return Object.fromEntries(fields.filter(([, field]) => operatorSettings.has(field)));
}

/** What a function reads when the setting is not given: the field's default, printable; `unset` without one. */
export function settingDefault(field: z.ZodMiniType): string {
  const parsed = z.safeParse(field, undefined);
  return parsed.success && parsed.data !== undefined ? String(parsed.data) : 'unset';
}
