import { CfnOutput, RemovalPolicy, SecretValue, Stack, Validations } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type IKey, Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type * as z from 'zod/mini';
import type { AppFunction, SecretArnKey } from '#lib/app-function.js';
import { KMS_ENCRYPTION_CONTEXT } from '#shared/crypto/token-vault.js';
import { APP_SECRET_OWNER } from '#shared/store/app-secrets.js';

const ID = 'ProviderVault';

export interface ProviderVaultProps {
  /**
   * The retained key of an earlier stack (`-c existingTokenKeyArn=`): the tokens and sealed secrets of a re-attached
   * table were wrapped under it and open under no other key.
   */
  existingTokenKeyArn?: string;
}

/** The KMS actions of the token vault's envelope encryption (shared/crypto/token-vault.ts). */
const TOKEN_KEY_ACTIONS = ['kms:Encrypt', 'kms:Decrypt', 'kms:GenerateDataKey'];

/**
 * What the functions that handle provider OAuth tokens share, and only they get (the `oauth` area, the sync
 * worker): the customer-managed KMS key wrapping the data keys of the stored tokens (rotated yearly by KMS), and
 * the `ProviderCredentials` secret, a JSON object of the provider app credentials keyed like the sandbox
 * variables (`{"FITBIT_CLIENT_ID": "...", "FITBIT_CLIENT_SECRET": "...", ...}`), created empty and filled by the
 * operator.
 *
 * One per stack, created by whichever construct asks first (`ProviderVault.of`; the stack does, with its props): the
 * API and the jobs both bind it without the stack having to pass it around.
 */
export class ProviderVault extends Construct {
  readonly tokenKey: IKey;
  readonly credentials: Secret;

  /** The stack's vault; `props` count only when this call creates it. */
  static of(scope: Construct, props: ProviderVaultProps = {}): ProviderVault {
    const stack = Stack.of(scope);
    return (stack.node.tryFindChild(ID) as ProviderVault | undefined) ?? new ProviderVault(stack, ID, props);
  }

  private constructor(scope: Construct, id: string, props: ProviderVaultProps) {
    super(scope, id);
    this.tokenKey = props.existingTokenKeyArn
      ? Key.fromKeyArn(this, 'TokenKey', props.existingTokenKeyArn)
      : new Key(this, 'TokenKey', {
          description: 'Open Wearables: wraps the data keys encrypting provider OAuth tokens',
          enableKeyRotation: true,
          // Without the key, every stored token is unreadable: it outlives the stack, like the table.
          removalPolicy: RemovalPolicy.RETAIN,
        });
    this.credentials = new Secret(this, 'ProviderCredentials', {
      description:
        'Open Wearables: provider app credentials, JSON keyed like the sandbox variables ' +
        '({"FITBIT_CLIENT_ID": "...", "FITBIT_CLIENT_SECRET": "...", ...})',
      // Not a secret yet: the operator puts the real value (put-secret-value) after the first deploy.
      secretStringValue: SecretValue.unsafePlainText('{}'),
    });
    Validations.of(this.credentials).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Provider client secrets are issued by each provider developer console; Secrets Manager cannot rotate ' +
        'them. The operator replaces the value when a provider secret is rotated.',
    });
    // On the stack, so the output keeps this name (inside the construct CDK would prefix and hash it).
    new CfnOutput(Stack.of(this), 'ProviderCredentialsSecretArn', {
      value: this.credentials.secretArn,
      description:
        'Provider app credentials: aws secretsmanager put-secret-value --secret-id <this ARN> --secret-string ' +
        '\'{"FITBIT_CLIENT_ID":"...","FITBIT_CLIENT_SECRET":"..."}\'',
    });
    new CfnOutput(Stack.of(this), 'TokenKeyArn', {
      value: this.tokenKey.keyArn,
      description:
        'KMS key of the stored provider tokens (retained): after a cdk destroy, redeploy with -c existingTokenKeyArn=<this ARN>',
    });
  }

  /** The `TOKEN_KMS_KEY_ID` variable of a token-handling function (pass it in the function's `environment`). */
  get tokenKeyVariable(): { TOKEN_KMS_KEY_ID: string } {
    return { TOKEN_KMS_KEY_ID: this.tokenKey.keyArn };
  }

  /**
   * Lets `fn` encrypt and decrypt provider tokens (only under the vault's encryption context) and read the
   * provider credentials (their ARN in PROVIDER_CREDENTIALS_SECRET_ARN).
   */
  bindTokenHandler<S extends z.ZodMiniObject>(fn: AppFunction<S>): void {
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: TOKEN_KEY_ACTIONS,
        resources: [this.tokenKey.keyArn],
        conditions: {
          StringEquals: { 'kms:EncryptionContext:purpose': KMS_ENCRYPTION_CONTEXT.purpose },
        },
      }),
    );
    this.bindCredentialsReader(fn);
  }

  /**
   * Lets `fn` open the app-level secrets the vault seals (shared/store/app-secrets.ts: Polar's webhook key) and read
   * the provider credentials: kms:Decrypt only, only for data keys bound to the `app` pseudo-user, so user tokens
   * stay closed to it even though they are sealed by the same key.
   */
  bindAppSecretReader<S extends z.ZodMiniObject>(fn: AppFunction<S>): void {
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [this.tokenKey.keyArn],
        conditions: {
          StringEquals: {
            'kms:EncryptionContext:purpose': KMS_ENCRYPTION_CONTEXT.purpose,
            'kms:EncryptionContext:user_id': APP_SECRET_OWNER,
          },
        },
      }),
    );
    this.bindCredentialsReader(fn);
  }

  /**
   * Lets `fn` seal (`kms:GenerateDataKey`) or open (`kms:Decrypt`) the integrator endpoints' signing secrets: only
   * data keys bound to their pseudo-user `owner`, so neither provider tokens nor app secrets open with it.
   */
  bindEndpointSecrets<S extends z.ZodMiniObject>(
    fn: AppFunction<S>,
    owner: string,
    actions: ReadonlyArray<'kms:GenerateDataKey' | 'kms:Decrypt'>,
  ): void {
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: [...actions],
        resources: [this.tokenKey.keyArn],
        conditions: {
          StringEquals: {
            'kms:EncryptionContext:purpose': KMS_ENCRYPTION_CONTEXT.purpose,
            'kms:EncryptionContext:user_id': owner,
          },
        },
      }),
    );
  }

  /** Lets `fn` read the provider credentials only (the webhook verifiers' secrets), not the tokens. */
  bindCredentialsReader<S extends z.ZodMiniObject>(fn: AppFunction<S>): void {
    fn.bindSecret(this.credentials, 'PROVIDER_CREDENTIALS_SECRET_ARN' as SecretArnKey<S>);
  }
}
