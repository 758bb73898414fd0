import { strict as assert } from "assert";
import { kubernetesApiAccessKept } from "../../../../policies/rules/identity/kubernetes-api-access-kept";
import { compliantStack, mutateValues } from "../../support/fixture";
import { ResourceRecord, runStackPolicy, UNKNOWN } from "../../support/harness";

const K8S_CONFIG = `
discovery.kubernetes "pods" {
  role = "pod"
}
loki.source.kubernetes_events "events" {
  forward_to = [loki.write.default.receiver]
}
`;

const binding = (
  type: "ClusterRoleBinding" | "RoleBinding",
  subjects: unknown,
  namespace?: string,
): ResourceRecord => ({
  type: `kubernetes:rbac.authorization.k8s.io/v1:${type}`,
  name: `own-${type}`,
  props: {
    metadata: { name: "own", ...(namespace ? { namespace } : {}) },
    roleRef: { kind: "ClusterRole", name: "x" },
    subjects,
  },
});
const account = (name: string, namespace: string): ResourceRecord => ({
  type: "kubernetes:core/v1:ServiceAccount",
  name: `sa-${namespace}-${name}`,
  props: { metadata: { name, namespace } },
});
const clusterRole = (name: string): ResourceRecord => ({
  type: "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
  name: `cr-${name}`,
  props: { metadata: { name }, rules: [] },
});

async function violations(records: ResourceRecord[]) {
  return (await runStackPolicy(kubernetesApiAccessKept, records)).violations;
}
async function passes(records: ResourceRecord[]) {
  assert.deepEqual(await violations(records), []);
}
async function rejects(records: ResourceRecord[], message: RegExp) {
  const found = await violations(records);
  assert.equal(found.length, 1, JSON.stringify(found));
  assert.match(found[0].message, message);
}

describe("policy kubernetes-api-access-kept (I4)", () => {
  const alloyK8s = () => mutateValues(compliantStack(), "alloy", "alloy.configMap.content", K8S_CONFIG);
  const alloyNoRbac = () => mutateValues(alloyK8s(), "alloy", "rbac.create", false);

  it("accepts the compliant fixture and a config using the API with the chart's RBAC", async () => {
    await passes(compliantStack());
    await passes(alloyK8s());
  });

  it("rejects alloy rbac.create=false when the config uses Kubernetes components", async () => {
    await rejects(
      alloyNoRbac(),
      /values\.rbac\.create=false: .*uses discovery\.kubernetes, loki\.source\.kubernetes_events.*403 Forbidden.*silent loss/,
    );
  });

  it("accepts alloy rbac.create=false when no component calls the API (also only in a comment) or the stack binds the account", async () => {
    await passes(mutateValues(compliantStack(), "alloy", "rbac.create", false));
    await passes(
      mutateValues(
        alloyNoRbac(),
        "alloy",
        "alloy.configMap.content",
        '// discovery.kubernetes "x" {}\nlocal.file "a" {}\n',
      ),
    );
    await passes([
      ...alloyNoRbac(),
      binding("ClusterRoleBinding", [{ kind: "ServiceAccount", name: "alloy", namespace: "monitoring" }]),
    ]);
    // A RoleBinding subject without a namespace is in the binding's namespace.
    await passes([...alloyNoRbac(), binding("RoleBinding", [{ kind: "ServiceAccount", name: "alloy" }], "monitoring")]);
  });

  it("still rejects when the stack's binding is for another namespace; is inconclusive on unknown subjects", async () => {
    await rejects(
      [
        ...alloyNoRbac(),
        binding("ClusterRoleBinding", [{ kind: "ServiceAccount", name: "alloy", namespace: "other" }]),
      ],
      /rbac\.create=false/,
    );
    await passes([...alloyNoRbac(), binding("ClusterRoleBinding", UNKNOWN)]);
  });

  it("rejects a serviceAccount.create=false naming an account nothing creates; accepts default or a declared account", async () => {
    const named = mutateValues(
      mutateValues(compliantStack(), "alloy", "serviceAccount.create", false),
      "alloy",
      "serviceAccount.name",
      "alloy-own",
    );
    await rejects(named, /serviceAccount\.name="alloy-own".*"monitoring\/alloy-own".*admission plugin rejects/);
    await passes([...named, account("alloy-own", "monitoring")]);
    await passes(mutateValues(alloyK8s(), "alloy", "serviceAccount.create", false));
  });

  it("rejects Strimzi rbac.create=false and names the custom resources left unreconciled", async () => {
    const records = mutateValues(compliantStack(), "strimzi-operator", "rbac.create", false);
    await rejects(
      records,
      /values\.rbac\.create=false: .*403 Forbidden.*cannot reconcile Kafka "kafka".*operator stopped/,
    );
    await passes([
      ...records,
      binding(
        "RoleBinding",
        [{ kind: "ServiceAccount", name: "strimzi-cluster-operator", namespace: "kafka" }],
        "kafka",
      ),
    ]);
  });

  it("rejects Strimzi createGlobalResources=false unless the stack declares the ClusterRoles", async () => {
    const records = mutateValues(compliantStack(), "strimzi-operator", "createGlobalResources", false);
    await rejects(records, /createGlobalResources=false: .*strimzi-cluster-operator-namespaced.*grants nothing/);
    await passes([...records, clusterRole("strimzi-cluster-operator-namespaced")]);
  });

  it("rejects Strimzi serviceAccountCreate=false unless the account is declared", async () => {
    const records = mutateValues(compliantStack(), "strimzi-operator", "serviceAccountCreate", false);
    await rejects(records, /serviceAccountCreate=false: .*"kafka\/strimzi-cluster-operator".*never runs/);
    await passes([...records, account("strimzi-cluster-operator", "kafka")]);
  });

  it("rejects kube-prometheus-stack global.rbac.create=false (operator, Prometheus and the webhook hook)", async () => {
    const records = mutateValues(compliantStack(), "kube-prometheus-stack", "global.rbac.create", false);
    await rejects(records, /global\.rbac\.create=false: .*Prometheus Operator.*kubernetes_sd.*hook fails/);
  });

  it("rejects kube-state-metrics.rbac.create=false unless the subchart is off", async () => {
    const records = mutateValues(compliantStack(), "kube-prometheus-stack", "kube-state-metrics.rbac.create", false);
    await rejects(records, /values\["kube-state-metrics"\]\.rbac\.create=false: .*no kube_\* series.*silent loss/);
    await passes(mutateValues(records, "kube-prometheus-stack", "kubeStateMetrics.enabled", false));
  });

  it("rejects a Prometheus account nothing creates and the webhook Jobs' account", async () => {
    const prom = mutateValues(
      mutateValues(compliantStack(), "kube-prometheus-stack", "prometheus.serviceAccount.create", false),
      "kube-prometheus-stack",
      "prometheus.serviceAccount.name",
      "prom",
    );
    await rejects(prom, /prometheus\.serviceAccount\.name="prom".*"monitoring\/prom".*no metric is scraped/);
    const patch = mutateValues(
      compliantStack(),
      "kube-prometheus-stack",
      "prometheusOperator.admissionWebhooks.patch.serviceAccount.create",
      false,
    );
    await rejects(patch, /"monitoring\/kps-kube-prometheus-stack-admission".*hook fails/);
    await passes([...patch, account("kps-kube-prometheus-stack-admission", "monitoring")]);
    await passes(
      mutateValues(patch, "kube-prometheus-stack", "prometheusOperator.admissionWebhooks.certManager.enabled", true),
    );
  });

  it("reports grafana.rbac.create=false as advisory only", async () => {
    const run = await runStackPolicy(
      kubernetesApiAccessKept,
      mutateValues(compliantStack(), "kube-prometheus-stack", "grafana.rbac.create", false),
    );
    assert.deepEqual(run.violations, []);
    assert.equal(run.advisories.length, 1);
    assert.match(run.advisories[0].message, /grafana\.rbac\.create=false: .*datasources and dashboards/);
  });
});
