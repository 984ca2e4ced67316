import { Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { CfnBucket, IBucket } from 'aws-cdk-lib/aws-s3';
import type { AreaFunction } from '#lib/api.js';
import { UPLOAD_PREFIX } from '#shared/ingest/sdk-uploads.js';

/**
 * What the team and seed routes need beyond their area's bindings, granted once the resources exist (the uploads
 * bucket belongs to the mobile ingress, built after the API).
 */

/**
 * POST /settings/seed stores SDK pushes in the uploads bucket, under the upload prefix only (as the mobile ingress
 * does); S3 then notifies the sdk-uploads queue itself.
 */
export function bindSeedUploads(admin: AreaFunction<'admin'>, uploads: IBucket): void {
  admin.addToRolePolicy(
    new PolicyStatement({
      actions: ['s3:PutObject'],
      resources: [uploads.arnForObjects(`${UPLOAD_PREFIX}*`)],
    }),
  );
  const stack = Stack.of(admin);
  const bucketId = stack.resolve(stack.getLogicalId(uploads.node.defaultChild as CfnBucket));
  Validations.of(admin.role!).acknowledge({
    id: `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/${UPLOAD_PREFIX}*]`,
    reason:
      'Each seeded push is its own object, named by the seed task: the grant is the upload prefix only.',
  });
  admin.setEnv('SDK_UPLOADS_BUCKET', uploads.bucketName);
}

/**
 * With the `INVITATION_EMAIL_SENDER` setting, the tokens function may send email through SES from that address only.
 * On any identity: while the account is in SES's sandbox, SES authorises the recipient's identity too (verified
 * there), so a grant naming the sender's identity alone would refuse every invitation.
 */
export function grantInvitationEmail(tokens: AreaFunction<'tokens'>, sender: string | undefined): void {
  if (!sender) return;
  // The identities, and a configuration set the sender's identity uses by default: SES authorises it too.
  const resources = ['identity', 'configuration-set'];
  tokens.addToRolePolicy(
    new PolicyStatement({
      actions: ['ses:SendEmail'],
      resources: resources.map((resource) =>
        Stack.of(tokens).formatArn({ service: 'ses', resource, resourceName: '*' }),
      ),
      conditions: { StringEquals: { 'ses:FromAddress': sender } },
    }),
  );
  for (const resource of resources) {
    Validations.of(tokens.role!).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:${resource}/*]`,
      reason:
        'Sends only from INVITATION_EMAIL_SENDER (ses:FromAddress); SES also authorises the recipient identity and ' +
        "the sender's default configuration set.",
    });
  }
}
