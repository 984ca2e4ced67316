import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { bindSeedUploads, grantInvitationEmail } from '#lib/admin-grants.js';
import { Api, type AreaFunction } from '#lib/api.js';
import type { AppConfig } from '#lib/config.js';
import { Dashboard } from '#lib/dashboard.js';
import { Delivery } from '#lib/delivery.js';
import { Imports } from '#lib/imports.js';
import { Jobs } from '#lib/jobs.js';
import { MobileIngress } from '#lib/mobile-ingress.js';
import { Observability } from '#lib/observability.js';
import { providerUrlOutputs } from '#lib/provider-urls.js';
import { ProviderVault } from '#lib/provider-vault.js';
import { Secrets } from '#lib/secrets.js';
import { Storage } from '#lib/storage.js';

export interface OpenWearablesStackProps extends StackProps {
  config: AppConfig;
}

export class OpenWearablesStack extends Stack {
  constructor(scope: Construct, id: string, props: OpenWearablesStackProps) {
    super(scope, id, props);
    const { config } = props;

    const storage = new Storage(this, 'Storage', { existingTableName: config.existingTableName });
    // Created here, before the API and the jobs bind it, so that it imports a retained key when told to.
    ProviderVault.of(this, { existingTokenKeyArn: config.existingTokenKeyArn });
    const secrets = new Secrets(this, 'Secrets', { adminEmail: config.adminEmail });
    const jobs = new Jobs(this, 'Jobs', { config, table: storage.table });
    const dashboard = config.dashboard ? new Dashboard(this, 'Dashboard', { config }) : undefined;
    const api = new Api(this, 'Api', {
      config,
      table: storage.table,
      secrets,
      queues: jobs.queues,
      webhookBodies: jobs.webhookBodies,
      corsOrigins: [...(dashboard ? [dashboard.origin] : []), ...config.corsOrigins],
    });
    dashboard?.publish(api.baseUrl);
    new Imports(this, 'Imports', {
      queue: jobs.queues.appleImports,
      worker: jobs.workers['apple-import-worker'],
      apiFunction: api.functions.sdk,
      corsOrigins: [...(dashboard ? [dashboard.origin] : []), ...config.corsOrigins],
    });
    new Delivery(this, 'Delivery', {
      config,
      functions: { ...api.functions, ...jobs.workers },
      eventsQueue: jobs.queues.deliveryEvents,
    });
    const mobile = new MobileIngress(this, 'MobileIngress', {
      config,
      table: storage.table,
      jwtSigningKey: secrets.jwtSigningKey,
      httpApiUrl: api.baseUrl,
      uploadQueue: jobs.queues.sdkUploads,
      uploadWorker: jobs.workers['sdk-upload-worker'],
      domain: api.domain,
    });
    bindSeedUploads(api.functions.admin as AreaFunction<'admin'>, mobile.bucket);
    grantInvitationEmail(
      api.functions.tokens as AreaFunction<'tokens'>,
      config.settings.INVITATION_EMAIL_SENDER,
    );
    const observability = new Observability(this, 'Observability', {
      stage: config.stage,
      alarmEmail: config.alarmEmail,
      tracing: config.tracing,
      api: api.httpApi,
      mobileApi: mobile.restApi,
      functions: [...Object.values(api.functions), mobile.authorizerFunction],
      jobFunctions: jobs.functions,
      deadLetterQueues: jobs.deadLetterQueues,
      queues: jobs.queues,
      table: storage.table,
    });

    new CfnOutput(this, 'ApiUrl', {
      value: api.baseUrl,
      description: 'Base URL of the Open Wearables API',
    });
    new CfnOutput(this, 'MobileApiUrl', {
      value: mobile.url,
      description:
        'Base URL for the mobile SDKs: SDK pushes of up to 10 MB, every other path proxied to ApiUrl',
    });
    if (dashboard) {
      new CfnOutput(this, 'DashboardUrl', {
        value: dashboard.origin,
        description: 'The developer dashboard (sign in with the AdminSecretArn credentials)',
      });
    }
    new CfnOutput(this, 'AlarmTopicArn', {
      value: observability.alarmTopic.topicArn,
      description:
        'SNS topic every CloudWatch alarm notifies (ALARM and OK): subscribe email (-c alarmEmail=), Slack or Chatbot',
    });
    new CfnOutput(this, 'TableName', {
      value: storage.table.tableName,
      description:
        'The DynamoDB table (retained by cdk destroy): redeploy with -c existingTableName=<this name> to re-attach it',
    });
    providerUrlOutputs(this, api.baseUrl);
    new CfnOutput(this, 'AdminSecretArn', {
      value: secrets.adminCredentials.secretArn,
      description:
        'Bootstrap developer credentials: aws secretsmanager get-secret-value --secret-id <this ARN>',
    });
    new CfnOutput(this, 'JwtSigningKeySecretArn', {
      value: secrets.jwtSigningKey.secretArn,
      description:
        'The access-token signing key, rotated with put-secret-value --secret-id <this ARN> (README)',
    });
  }
}
