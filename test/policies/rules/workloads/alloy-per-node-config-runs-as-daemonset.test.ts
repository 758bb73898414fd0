import { strict as assert } from "assert";
import { alloyPerNodeConfigRunsAsDaemonset } from "../../../../policies/rules/workloads/alloy-per-node-config-runs-as-daemonset";
import { compliantStack, mutateValues } from "../../support/fixture";
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
});
