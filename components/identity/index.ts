import * as pulumi from "@pulumi/pulumi";
import * as aws from "@pulumi/aws";
import { bucketAccessPolicy, bucketKeyPolicy, irsaTrustPolicy, validateServiceAccountRef } from "./policies";

export {
  bucketAccessPolicy,
  bucketKeyPolicy,
  KMS_ADMIN_ACTIONS,
  irsaTrustPolicy,
  issuerHostPath,
  validateServiceAccountRef,
  STS_AUDIENCE,
} from "./policies";
export type { PolicyDocument, PolicyStatement, IrsaSubject } from "./policies";

export interface WorkloadIdentity {
  key: "mimir" | "loki";
  namespace: string;
  serviceAccount: string;
  bucketArns: pulumi.Input<string>[];
  kmsKeyArn: pulumi.Input<string>;
}

export interface IdentityArgs {
  oidcProviderArn: pulumi.Input<string>;
  /** With or without https://. */
  oidcIssuer: pulumi.Input<string>;
  workloads: WorkloadIdentity[];
  tags: Record<string, string>;
}

export class Identity extends pulumi.ComponentResource {
  /**
   * Role ARN per workload key, for the service account annotation eks.amazonaws.com/role-arn. Each resolves only
   * once the role's permissions are attached, so a Helm release using it never starts pods with a bare role.
   */
  public readonly roleArns: Record<string, pulumi.Output<string>>;

  constructor(name: string, args: IdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("observability:identity:Identity", name, {}, opts);
    const keys = args.workloads.map((w) => w.key);
    const duplicate = keys.find((k, i) => keys.indexOf(k) !== i);
    if (duplicate) {
      throw new pulumi.ResourceError(
        `workloads lists key "${duplicate}" twice; each workload gets exactly one role`,
        this,
      );
    }
    args.workloads.forEach((w) => validateServiceAccountRef(w.namespace, w.serviceAccount, `workloads[${w.key}]`));

    this.roleArns = {};
    for (const workload of args.workloads) {
      const role = new aws.iam.Role(
        `${name}-${workload.key}`,
        {
          description: `IRSA role of ${workload.namespace}/${workload.serviceAccount} (${workload.key} object storage)`,
          assumeRolePolicy: pulumi.all([args.oidcProviderArn, args.oidcIssuer]).apply(([oidcProviderArn, oidcIssuer]) =>
            JSON.stringify(
              irsaTrustPolicy({
                oidcProviderArn,
                oidcIssuer,
                namespace: workload.namespace,
                serviceAccount: workload.serviceAccount,
              }),
            ),
          ),
          tags: { ...args.tags, "observability/workload": workload.key },
        },
        { parent: this },
      );

      const storageAccess = new aws.iam.RolePolicy(
        `${name}-${workload.key}-storage`,
        {
          role: role.name,
          policy: pulumi
            .all([pulumi.all(workload.bucketArns), workload.kmsKeyArn])
            .apply(([bucketArns, kmsKeyArn]) => JSON.stringify(bucketAccessPolicy(bucketArns, kmsKeyArn))),
        },
        { parent: this },
      );

      // The workload's bucket key answers to this role only (and to the account's administrators).
      const keyPolicy = new aws.kms.KeyPolicy(
        `${name}-${workload.key}-key`,
        {
          keyId: workload.kmsKeyArn,
          policy: pulumi
            .all([workload.kmsKeyArn, role.arn])
            .apply(([kmsKeyArn, roleArn]) => JSON.stringify(bucketKeyPolicy(kmsKeyArn, [roleArn]))),
        },
        { parent: this },
      );

      this.roleArns[workload.key] = pulumi.all([role.arn, storageAccess.id, keyPolicy.id]).apply(([arn]) => arn);
    }
    this.registerOutputs({ roleArns: this.roleArns });
  }
}
