import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { envBoolean } from '#shared/config/env.js';

export const DEFAULT_PORT = 8000;
export const DEFAULT_ADMIN_EMAIL = 'admin@admin.com';
export const DEFAULT_ADMIN_PASSWORD = 'your-secure-password';
export const DEFAULT_DATA_DIR = '.data';
export const DEFAULT_TABLE_NAME = 'open-wearables';

type Env = Record<string, string | undefined>;

/** The sandbox settings (architecture.md section 5), from the environment with their defaults. */
export interface SandboxConfig {
  port: number;
  /** MOBILE_PORT: the mobile ingress (storage-first SDK pushes up to 10 MB); PORT + 1 by default. */
  mobilePort: number;
  /** Interface to listen on: loopback unless HOST says otherwise (e.g. 0.0.0.0 to reach it from a phone). */
  host: string;
  /** API_BASE_URL if set; otherwise derived from the port actually bound. */
  apiBaseUrl?: string;
  adminEmail: string;
  adminPassword: string;
  /** Absolute path of OW_DATA_DIR. */
  dataDir: string;
  inMemory: boolean;
  tableName: string;
  /** OW_SCHEDULE_INTERVAL_SECONDS: runs every schedule at this interval instead of its rate (demos, tests). */
  scheduleIntervalSeconds?: number;
  /** WEBHOOK_ALLOW_PRIVATE (default true here): integrator endpoints may be http:// and on this machine. */
  webhookAllowPrivate: boolean;
  /** OW_DATA_LAKE: events are also written to the local data lake (the `lake` folder of the objects). */
  dataLake: boolean;
}

/** A yes/no variable in the spellings every function accepts (envBoolean); unset or empty: `fallback`. */
function parseFlag(env: Env, name: string, fallback: boolean): boolean {
  const parsed = envBoolean(fallback).safeParse(env[name]?.trim() || undefined);
  if (!parsed.success) throw new Error(`${name} must be true or false, got "${env[name]}"`);
  return parsed.data;
}

function parsePort(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`${name} must be a port number (0-65535), got "${value}"`);
  }
  return port;
}

function parseInterval(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new Error(`OW_SCHEDULE_INTERVAL_SECONDS must be a positive number of seconds, got "${value}"`);
  }
  return seconds;
}

export function readSandboxConfig(env: Env): SandboxConfig {
  const port = parsePort(env.PORT, 'PORT', DEFAULT_PORT);
  return {
    port,
    mobilePort: parsePort(env.MOBILE_PORT, 'MOBILE_PORT', port === 0 ? 0 : port + 1),
    host: env.HOST || '127.0.0.1',
    apiBaseUrl: env.API_BASE_URL?.replace(/\/+$/, '') || undefined,
    adminEmail: env.ADMIN_EMAIL || DEFAULT_ADMIN_EMAIL,
    adminPassword: env.ADMIN_PASSWORD || DEFAULT_ADMIN_PASSWORD,
    dataDir: resolve(env.OW_DATA_DIR || DEFAULT_DATA_DIR),
    inMemory: parseFlag(env, 'OW_IN_MEMORY', false),
    tableName: env.TABLE_NAME || DEFAULT_TABLE_NAME,
    scheduleIntervalSeconds: parseInterval(env.OW_SCHEDULE_INTERVAL_SECONDS),
    webhookAllowPrivate: parseFlag(env, 'WEBHOOK_ALLOW_PRIVATE', true),
    dataLake: parseFlag(env, 'OW_DATA_LAKE', false),
  };
}

/**
 * A key generated once and kept in `<dataDir>/<name>` (mode 0600) so that it survives restarts (the JWT signing
 * key, so tokens stay valid; the token-vault key, so stored provider tokens stay readable); a fresh one per run
 * when nothing is persisted.
 */
function persistedKey(
  config: SandboxConfig,
  name: string,
  generate: () => string,
  minLength: number,
): string {
  if (config.inMemory) return generate();
  const file = join(config.dataDir, name);
  try {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length < minLength)
      throw new Error(`${file} must hold at least ${minLength} characters: delete it to get a new key`);
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(config.dataDir, { recursive: true });
  const secret = generate();
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return secret;
}

export const sandboxJwtSecret = (config: SandboxConfig) =>
  persistedKey(config, 'jwt-secret', () => randomBytes(48).toString('base64url'), 32);

/** 32 random bytes, base64: the local key of the provider-token vault. */
export const sandboxTokenKey = (config: SandboxConfig) =>
  persistedKey(config, 'token-key', () => randomBytes(32).toString('base64'), 44);
