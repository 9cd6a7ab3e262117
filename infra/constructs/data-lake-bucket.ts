import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

export interface DataLakeBucketProps {
  /**
   * Move current objects to STANDARD_IA after this many days. S3 does not transition objects under
   * 128 KB (and IA bills 128 KB minimum per object), so small hourly responses stay in STANDARD.
   * @default - no transition
   */
  readonly infrequentAccessAfterDays?: number;
  /**
   * Keep overwritten or deleted versions this many days, so a rerun never destroys the only copy.
   * @default - the bucket is not versioned
   */
  readonly keepNoncurrentVersionsDays?: number;
  /**
   * Delete current objects after this many days (query results, scratch data).
   * @default - never
   */
  readonly expireAfterDays?: number;
  /**
   * `retain`: `cdk destroy` leaves the bucket and its data (for a raw zone that must outlive the stack).
   * @default 'destroy' - emptied and deleted with the stack
   */
  readonly removal?: 'destroy' | 'retain';
}

/**
 * A data-lake zone with safe defaults: generated name, all public access blocked, TLS 1.2+ only,
 * SSE-S3 encryption, bucket-owner-enforced ownership, and destroyed with its data on `cdk destroy` unless retained.
 */
export class DataLakeBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: DataLakeBucketProps = {}) {
    super(scope, id);
    const versioned = props.keepNoncurrentVersionsDays !== undefined;
    const retain = (props.removal ?? 'destroy') === 'retain';
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned,
      removalPolicy: retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      autoDeleteObjects: !retain,
      transitionDefaultMinimumObjectSize: s3.TransitionDefaultMinimumObjectSize.ALL_STORAGE_CLASSES_128_K,
      lifecycleRules: [
        {
          id: 'zone-lifecycle',
          abortIncompleteMultipartUploadAfter: Duration.days(1),
          transitions:
            props.infrequentAccessAfterDays === undefined
              ? undefined
              : [{ storageClass: s3.StorageClass.INFREQUENT_ACCESS, transitionAfter: Duration.days(props.infrequentAccessAfterDays) }],
          noncurrentVersionExpiration: versioned ? Duration.days(props.keepNoncurrentVersionsDays!) : undefined,
          expiration: props.expireAfterDays === undefined ? undefined : Duration.days(props.expireAfterDays),
        },
      ],
    });
    // A retained bucket keeps its policy too (TLS only): otherwise cdk destroy deletes the policy and leaves the data open to plain HTTP.
    if (retain) this.bucket.policy?.applyRemovalPolicy(RemovalPolicy.RETAIN);
  }
}
