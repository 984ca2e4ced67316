import { type IAspect, Validations } from 'aws-cdk-lib';
import { CfnStage } from 'aws-cdk-lib/aws-apigateway';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { type CfnFunction, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { IConstruct } from 'constructs';

/**
 * X-Ray active tracing: each function of the stack records a segment per invocation (its bundle, built with
 * Powertools Tracer for `-c tracing=true` by lib/bundling.ts, adds the subsegments), and the mobile ingress's REST
 * API stage traces its requests (HTTP APIs cannot).
 */
export class ActiveTracing implements IAspect {
  visit(node: IConstruct): void {
    if (node instanceof LambdaFunction) {
      (node.node.defaultChild as CfnFunction).tracingConfig = { mode: 'Active' };
      node.addToRolePolicy(
        new PolicyStatement({
          actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'],
          resources: ['*'],
        }),
      );
      if (node.role) {
        Validations.of(node.role).acknowledge({
          id: 'AwsSolutions-IAM5[Resource::*]',
          reason: 'X-Ray trace uploads have no resource-level permissions (only with -c tracing=true).',
        });
      }
    } else if (node instanceof CfnStage) {
      node.tracingEnabled = true;
    }
  }
}
