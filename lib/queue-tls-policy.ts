import { AspectPriority, Aspects, type IAspect, Stack } from 'aws-cdk-lib';
import { AnyPrincipal, Effect, PolicyDocument, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { CfnQueuePolicy, Queue, QueuePolicy } from 'aws-cdk-lib/aws-sqs';
import { Construct, type IConstruct } from 'constructs';

// biome-ignore lint/suspicious/noExplicitAny: a rendered policy statement (IAM JSON, tokens inside)
type StatementJson = any;

const isTlsDeny = (s: StatementJson) =>
  s.Effect === 'Deny' && s.Condition?.Bool?.['aws:SecureTransport'] === 'false';

/**
 * One queue policy for every queue of the stack, whoever created it: denies `sqs:*` without TLS on each queue's
 * ARN (cdk-nag AwsSolutions-SQS4), where `enforceSSL` would make one policy resource per queue. A queue has one
 * policy only (a second one overwrites the first), so the own policy a queue got from a grant (S3 notifications
 * of the mobile ingress) is folded into this one and removed, and whatever waited for it waits for this one.
 * Runs at synthesis, after every construct exists.
 */
export class QueueTlsPolicy extends Construct implements IAspect {
  constructor(scope: Stack, id: string) {
    super(scope, id);
    Aspects.of(scope).add(this, { priority: AspectPriority.MUTATING });
  }

  visit(node: IConstruct): void {
    // Once: a second synthesis of the same app visits the stack again.
    if (node !== Stack.of(this) || this.node.tryFindChild('Policy')) return;
    const queues = node.node.findAll().filter((c): c is Queue => c instanceof Queue);
    if (queues.length === 0) return;
    const document = new PolicyDocument({
      statements: [
        new PolicyStatement({
          sid: 'TlsOnly',
          effect: Effect.DENY,
          principals: [new AnyPrincipal()],
          actions: ['sqs:*'],
          resources: queues.map((queue) => queue.queueArn),
          conditions: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      ],
    });
    const folded = new Set<IConstruct>();
    for (const queue of queues) {
      const own = queue.node.children.find((c): c is QueuePolicy => c instanceof QueuePolicy);
      if (!own) continue;
      const statements = (own.document.toJSON()?.Statement ?? []) as StatementJson[];
      document.addStatements(...statements.filter((s) => !isTlsDeny(s)).map(PolicyStatement.fromJson));
      queue.node.tryRemoveChild(own.node.id);
      folded.add(queue).add(own);
    }
    const policy = new CfnQueuePolicy(this, 'Policy', {
      queues: queues.map((queue) => queue.queueUrl),
      policyDocument: document,
    });
    // S3 checks that it may send to a notification's queue when the notification is configured.
    for (const construct of node.node.findAll()) {
      if (construct.node.dependencies.some((dependency) => folded.has(dependency))) {
        construct.node.addDependency(policy);
      }
    }
  }
}
