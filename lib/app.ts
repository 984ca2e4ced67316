import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { type AppContext, readConfig } from '#lib/config.js';
import { OpenWearablesStack } from '#lib/open-wearables-stack.js';

/**
 * The CDK app, shared by bin/open-wearables.ts and the infra tests. `context` is added to whatever the CLI
 * passes (cdk.json, `-c key=value`).
 */
export function buildApp(context: Partial<AppContext> & Record<string, unknown> = {}) {
  const app = new App({ context });
  const config = readConfig(app.node);
  const stack = new OpenWearablesStack(app, `OpenWearables-${config.stage}`, {
    config,
    description: `Open Wearables API (${config.stage})`,
  });
  Tags.of(app).add('project', 'open-wearables');
  Tags.of(app).add('stage', config.stage);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}
