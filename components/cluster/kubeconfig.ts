import * as pulumi from "@pulumi/pulumi";

export interface KubeconfigInput {
  clusterName: string;
  /** https://... as reported by EKS. */
  endpoint: string;
  /** Base64 PEM, as in certificateAuthority.data. */
  certificateAuthorityData: string;
  /** Passed to the AWS CLI: it needs a region and does not read Pulumi's aws:region. */
  region?: string;
  /** AWS_PROFILE for the token command, when the deployer uses named profiles. */
  profile?: string;
}

/**
 * A kubeconfig (JSON, which is valid YAML) that authenticates with short-lived tokens from
 * `aws eks get-token --cluster-name <name> --output json`, the exec plugin form `aws eks update-kubeconfig` writes
 * (EKS user guide, "Connect kubectl to an EKS cluster"). No credential is embedded.
 */
export function buildKubeconfig(input: KubeconfigInput): string {
  if (!input.clusterName) throw new pulumi.RunError(`kubeconfig: clusterName is empty`);
  if (!/^https:\/\/[^\s/]+/.test(input.endpoint)) {
    throw new pulumi.RunError(`kubeconfig: endpoint "${input.endpoint}" is not an https URL`);
  }
  if (!/^[A-Za-z0-9+/]+=*$/.test(input.certificateAuthorityData)) {
    throw new pulumi.RunError(`kubeconfig: certificateAuthorityData for ${input.clusterName} is empty or not base64`);
  }
  const args = ["eks", "get-token", "--cluster-name", input.clusterName, "--output", "json"];
  if (input.region) args.push("--region", input.region);
  const exec: Record<string, unknown> = {
    // The API version the AWS CLI v2 writes and its get-token prints (ExecCredential).
    apiVersion: "client.authentication.k8s.io/v1beta1",
    command: "aws",
    args,
  };
  if (input.profile) exec.env = [{ name: "AWS_PROFILE", value: input.profile }];
  const name = input.clusterName;
  return JSON.stringify(
    {
      apiVersion: "v1",
      kind: "Config",
      clusters: [
        { name, cluster: { server: input.endpoint, "certificate-authority-data": input.certificateAuthorityData } },
      ],
      contexts: [{ name, context: { cluster: name, user: name } }],
      "current-context": name,
      preferences: {},
      users: [{ name, user: { exec } }],
    },
    null,
    2,
  );
}
