import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  type ITable,
  ProjectionType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { TABLE_KEYS } from '#shared/store/table.js';

export interface StorageProps {
  /**
   * Use this existing table instead of creating one (`-c existingTableName=`): the table a destroyed stack retained,
   * or one restored from a point-in-time backup. It must have the keys and the GSI of TABLE_KEYS.
   */
  existingTableName?: string;
}

/** The single table, built from the same key definition as the sandbox and the integration tests. */
export class Storage extends Construct {
  readonly table: ITable;

  constructor(scope: Construct, id: string, props: StorageProps = {}) {
    super(scope, id);
    const { partitionKey, sortKey, gsi1, ttlAttribute } = TABLE_KEYS;

    if (props.existingTableName) {
      // Imported with its GSI, so grants made through the table cover the index too. Nothing of it is in the
      // template: its PITR, deletion protection and TTL are whatever the table has.
      this.table = Table.fromTableAttributes(this, 'Table', {
        tableName: props.existingTableName,
        globalIndexes: [gsi1.indexName],
      });
      return;
    }

    // Unchanged since the first release: a new name or key here would replace the table of every deployed stack.
    const table = new Table(this, 'Table', {
      partitionKey: { name: partitionKey, type: AttributeType.STRING },
      sortKey: { name: sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: ttlAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    table.addGlobalSecondaryIndex({
      indexName: gsi1.indexName,
      partitionKey: { name: gsi1.partitionKey, type: AttributeType.STRING },
      sortKey: { name: gsi1.sortKey, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
    this.table = table;
  }
}
