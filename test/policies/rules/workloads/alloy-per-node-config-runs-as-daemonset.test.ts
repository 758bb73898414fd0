import { strict as assert } from "assert";
import { alloyPerNodeConfigRunsAsDaemonset } from "../../../../policies/rules/workloads/alloy-per-node-config-runs-as-daemonset";
import { compliantStack, mutate, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

// The selector the program's config uses (components/alloy/config.ts buildAlloyConfig).
const NODE_LOCAL = `discovery.kubernetes "pods" {
  role = "pod"
  selectors {
    role  = "pod"
    field = "spec.nodeName=" + sys.env("K8S_NODE_NAME")
  }
}
`;
const TAILING = `local.file_match "pods" {\n  path_targets = [{"__path__" = "/var/log/pods/*/*/*.log"}]\n}\n`;
const CLUSTER_WIDE = `discovery.kubernetes "pods" {\n  role = "pod"\n}\nloki.source.kubernetes "pods" {\n  targets = discovery.kubernetes.pods.targets\n  forward_to = []\n}\n`;

const withConfig = (content: string, controller?: Record<string, unknown>) => {
  const records = mutateValues(compliantStack(), "alloy", "alloy.configMap.content", content);
  return controller ? mutateValues(records, "alloy", "controller", controller) : records;
};

async function violations(records: Parameters<typeof runStackPolicy>[1]) {
  return (await runStackPolicy(alloyPerNodeConfigRunsAsDaemonset, records)).violations.map((v) => v.message);
}

describe("policy alloy-per-node-config-runs-as-daemonset (P2)", () => {
  it("passes the compliant fixture", async () => {
    assert.deepEqual(await runStackPolicy(alloyPerNodeConfigRunsAsDaemonset, compliantStack()), {
      violations: [],
      advisories: [],
      previewAdvisory: undefined,
    });
  });

  it("rejects a StatefulSet of 2 running the node-local config (held-out x06)", async () => {
    const found = await violations(withConfig(NODE_LOCAL + TAILING, { type: "statefulset", replicas: 2 }));
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /values\.controller\.type=statefulset runs 2 Alloy pod\(s\).*spec\.nodeName.*and tails the node's log files under \/var\/log.*never have their logs collected/,
    );
  });

  it("rejects a Deployment tailing /var/log (chart default replicas)", async () => {
    const found = await violations(withConfig(TAILING, { type: "deployment" }));
    assert.equal(found.length, 1);
    assert.match(found[0], /controller\.type=deployment runs 1 \(chart default controller\.replicas\)/);
  });

  it("accepts the DaemonSet (explicit or chart default), and a Deployment with cluster-wide discovery", async () => {
    for (const records of [
      withConfig(NODE_LOCAL + TAILING),
      withConfig(NODE_LOCAL + TAILING, { type: "daemonset" }),
      withConfig(CLUSTER_WIDE, { type: "statefulset", replicas: 3 }),
      withConfig(`// was: field = "spec.nodeName=" + sys.env("K8S_NODE_NAME")\n${CLUSTER_WIDE}`, {
        type: "deployment",
      }),
    ])
      assert.deepEqual(await violations(records), []);
  });

  it("rejects a DaemonSet kept to one zone while the config collects only its own node (held-out h18)", async () => {
    const found = await violations(
      withConfig(NODE_LOCAL + TAILING, { nodeSelector: { "topology.kubernetes.io/zone": "us-east-1a" } }),
    );
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /^alloy release "alloy" values\.controller\.nodeSelector=\{"topology\.kubernetes\.io\/zone":"us-east-1a"\}: the Alloy DaemonSet runs no pod on NodeGroup "node-group" in us-east-1b \(nodeSelector topology\.kubernetes\.io\/zone=us-east-1a\), NodeGroup "node-group" in us-east-1c .*never have their logs collected, silently/,
    );
  });

  it("rejects a node group taint the DaemonSet does not tolerate, and a required affinity no group meets", async () => {
    const tainted = mutate(
      withConfig(NODE_LOCAL),
      "node-group",
      ["taints"],
      [{ key: "dedicated", value: "kafka", effect: "NO_SCHEDULE" }],
    );
    const found = await violations(tainted);
    assert.equal(found.length, 1);
    assert.match(found[0], /taint dedicated=kafka:NoSchedule not tolerated/);
    const tolerated = mutateValues(tainted, "alloy", "controller.tolerations", [{ operator: "Exists" }]);
    assert.deepEqual(await violations(tolerated), []);
    const affinity = withConfig(NODE_LOCAL, {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              { matchExpressions: [{ key: "observability/node-pool", operator: "In", values: ["logs"] }] },
            ],
          },
        },
      },
    });
    assert.match((await violations(affinity))[0] ?? "", /no required node-affinity term matches/);
  });

  it("accepts a placement that covers every node: the node groups' own label, every zone, a cluster-wide config", async () => {
    for (const records of [
      withConfig(NODE_LOCAL + TAILING, { nodeSelector: { "observability/node-pool": "workload" } }),
      withConfig(NODE_LOCAL, { nodeSelector: { "kubernetes.io/os": "linux" } }),
      withConfig(CLUSTER_WIDE, { nodeSelector: { "topology.kubernetes.io/zone": "us-east-1a" } }),
      withConfig(NODE_LOCAL, {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                {
                  matchExpressions: [
                    {
                      key: "topology.kubernetes.io/zone",
                      operator: "In",
                      values: ["us-east-1a", "us-east-1b", "us-east-1c"],
                    },
                  ],
                },
              ],
            },
          },
        },
      }),
    ])
      assert.deepEqual(await violations(records), []);
  });
});
