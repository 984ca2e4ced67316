import type { ScopedFunction } from '#shared/store/write-scopes.js';

const FUNCTIONS_DIR = new URL('../../functions/', import.meta.url);

/**
 * The `handler` export of `functions/<name>.ts`, imported like a cold start. Every invocation runs as that function,
 * held to the table actions and write scope IAM holds it to on AWS (shared/store/write-scopes.ts).
 */
export async function loadHandler<H extends (...args: never[]) => unknown>(name: string): Promise<H> {
  const { runAsFunction } = await import('#shared/store/write-scopes.js');
  const module = (await import(new URL(`${name}.ts`, FUNCTIONS_DIR).href)) as { handler: H };
  return ((...args: Parameters<H>) =>
    runAsFunction(name as ScopedFunction, () => module.handler(...args))) as unknown as H;
}
