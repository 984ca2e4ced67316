import { Validations } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

export interface SecretsProps {
  adminEmail: string;
}

/** Generated at deploy time; functions receive ARNs and read the values through shared/config/secrets.ts. */
export class Secrets extends Construct {
  /** HS256 key signing developer and SDK JWTs. */
  readonly jwtSigningKey: Secret;
  /** `{"email","password"}` of the developer account bootstrapped on first use. */
  readonly adminCredentials: Secret;

  constructor(scope: Construct, id: string, props: SecretsProps) {
    super(scope, id);

    this.jwtSigningKey = new Secret(this, 'JwtSigningKey', {
      description: 'Open Wearables: HS256 signing key of developer and SDK JWTs',
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    this.adminCredentials = new Secret(this, 'AdminCredentials', {
      description: 'Open Wearables: email and password of the bootstrap developer account',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ email: props.adminEmail }),
        generateStringKey: 'password',
        excludePunctuation: true,
        passwordLength: 32,
      },
    });

    Validations.of(this.jwtSigningKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating the JWT signing key invalidates every developer session and SDK access token at once; ' +
        'operators rotate it manually (put-secret-value) during a maintenance window.',
    });
    Validations.of(this.adminCredentials).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The secret only seeds the bootstrap developer account once; rotating it would not change the stored ' +
        'password hash. The password is changed through POST /api/v1/auth/change-password instead.',
    });
  }
}
