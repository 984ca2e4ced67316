import { type FromEnvInit, fromEnv } from '@aws-sdk/credential-provider-env';

/**
 * The credential provider of the AWS SDK clients in a bundled function, in place of the SDK's default chain
 * (`@aws-sdk/credential-provider-node`, replaced by this module through esbuild's alias in lib/bundling.ts). Lambda
 * hands a function its role's credentials in environment variables, which are the chain's first link, so the rest
 * (SSO, profile files, credential processes, web identity, container and instance metadata: 100-130 KB that
 * every bundle compiled at each cold start) is never reached there. Nothing else imports this module.
 */
export const defaultProvider = (init: FromEnvInit = {}) => fromEnv(init);
