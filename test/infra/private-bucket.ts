/** What every bucket of the stack is (a subset of its properties): encrypted with SSE-S3, never public. */
export const PRIVATE_BUCKET = {
  BucketEncryption: {
    ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
  },
  PublicAccessBlockConfiguration: {
    BlockPublicAcls: true,
    BlockPublicPolicy: true,
    IgnorePublicAcls: true,
    RestrictPublicBuckets: true,
  },
};

/** The statement of a bucket policy that refuses every request without TLS (a subset of its fields). */
export const TLS_ONLY = { Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } };
