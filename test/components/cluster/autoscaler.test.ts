import * as assert from "node:assert/strict";
import {
  CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
  CLUSTER_AUTOSCALER_VERSIONS,
  clusterAutoscalerPolicy,
  clusterAutoscalerValues,
  clusterAutoscalerVersion,
} from "../../../components/cluster/autoscaler";
import * as upstream from "../../../settings/upstream";

type Any = any;
const INPUTS = {
  clusterName: "obs-prod",
  region: "eu-west-1",
  roleArn: "arn:aws:iam::123456789012:role/ca",
  kubernetesVersion: "1.35",
  perGroupLabels: ["observability/zone-index"],
};

describe("Cluster Autoscaler", () => {
  it("runs the autoscaler release of the cluster's Kubernetes minor, for every minor the config accepts", () => {
    for (let minor = upstream.eks.minKubernetesMinor; minor <= upstream.eks.maxKubernetesMinor; minor++) {
      assert.match(clusterAutoscalerVersion(`1.${minor}`), new RegExp(`^1\\.${minor}\\.\\d+$`));
    }
    assert.equal(
      Object.keys(CLUSTER_AUTOSCALER_VERSIONS).length,
      upstream.eks.maxKubernetesMinor - upstream.eks.minKubernetesMinor + 1,
    );
    assert.throws(
      () => clusterAutoscalerVersion("1.29"),
      /no cluster-autoscaler release is listed for Kubernetes 1\.29/,
    );
    assert.equal((clusterAutoscalerValues(INPUTS) as Any).image.tag, "v1.35.2");
  });

  it("discovers this cluster's node groups and balances the per-AZ groups, ignoring the label that tells them apart", () => {
    const values: Any = clusterAutoscalerValues(INPUTS);
    assert.deepEqual(values.autoDiscovery, { clusterName: "obs-prod" });
    assert.equal(values.cloudProvider, "aws");
    assert.equal(values.awsRegion, "eu-west-1");
    assert.deepEqual(values.extraArgs, {
      "balance-similar-node-groups": true,
      "balancing-ignore-label_1": "observability/zone-index",
    });
  });

  it("gets AWS access through IRSA on its named service account, and passes Pod Security restricted", () => {
    const values: Any = clusterAutoscalerValues(INPUTS);
    assert.deepEqual(values.rbac.serviceAccount, {
      create: true,
      name: CLUSTER_AUTOSCALER_SERVICE_ACCOUNT.serviceAccount,
      annotations: { "eks.amazonaws.com/role-arn": INPUTS.roleArn },
    });
    assert.equal(values.securityContext.runAsNonRoot, true);
    assert.deepEqual(values.securityContext.seccompProfile, { type: "RuntimeDefault" });
    assert.equal(values.containerSecurityContext.allowPrivilegeEscalation, false);
    assert.deepEqual(values.containerSecurityContext.capabilities, { drop: ["ALL"] });
  });

  it("may scale only Auto Scaling groups tagged for this cluster; everything else it may only read", () => {
    const [scale, read] = clusterAutoscalerPolicy("obs-prod").Statement;
    assert.deepEqual(scale.Action, [
      "autoscaling:SetDesiredCapacity",
      "autoscaling:TerminateInstanceInAutoScalingGroup",
    ]);
    assert.deepEqual(scale.Condition, {
      StringEquals: {
        "aws:ResourceTag/k8s.io/cluster-autoscaler/enabled": "true",
        "aws:ResourceTag/k8s.io/cluster-autoscaler/obs-prod": "owned",
      },
    });
    assert.ok(
      (read.Action as string[]).every((a) => /:(Describe|Get)/.test(a)),
      `${read.Action}`,
    );
  });
});
