import { strict as assert } from "assert";
import { clusterObjectsReferencedExist } from "../../../../policies/rules/workloads/cluster-objects-referenced-exist";
import { compliantStack, mutate, mutateValues, without } from "../../support/fixture";
import { ResourceRecord, runStackPolicy, UNKNOWN } from "../../support/harness";

const run = (records = withGp3()) => runStackPolicy(clusterObjectsReferencedExist, records);

/** The program's default StorageClass (components/cluster/index.ts). */
function withGp3(records: ResourceRecord[] = compliantStack(), name: string = "gp3"): ResourceRecord[] {
  return [
    ...records,
    {
      type: "kubernetes:storage.k8s.io/v1:StorageClass",
      name: "obs-gp3",
      props: { metadata: { name }, provisioner: "ebs.csi.aws.com" },
    },
  ];
}

const prometheusClass = (name: unknown) =>
  mutateValues(withGp3(), "kube-prometheus-stack", "prometheus.prometheusSpec.storageSpec", {
    volumeClaimTemplate: { spec: { storageClassName: name, resources: { requests: { storage: "100Gi" } } } },
  });

describe("policy cluster-objects-referenced-exist (P5)", () => {
  it("passes the compliant fixture, and the program's gp3 class wherever it is named", async () => {
    assert.deepEqual((await run()).violations, []);
    let records = prometheusClass("gp3");
    records = mutateValues(records, "mimir", "store_gateway.persistentVolume", { enabled: true, storageClass: "gp3" });
    records = mutateValues(records, "loki", "ingester.persistence", {
      enabled: true,
      claims: [{ name: "data", size: "10Gi", storageClass: "gp3" }],
    });
    records = mutate(records, "kafka-pool-brokers", ["spec", "storage"], {
      type: "jbod",
      volumes: [{ id: 0, type: "persistent-claim", size: "100Gi", class: "gp3" }],
    });
    const result = await run(records);
    assert.deepEqual(result.violations, []);
    assert.deepEqual(result.advisories, []);
  });

  it("rejects a Prometheus claim naming a StorageClass the stack does not create (t26: PVC Pending)", async () => {
    const result = await run(prometheusClass("gp3-retain"));
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /values\.prometheus\.prometheusSpec\.storageSpec\.volumeClaimTemplate\.spec\.storageClassName=gp3-retain: no StorageClass "gp3-retain" exists \(the stack declares, or every EKS cluster has, only gp2, gp3\): the PersistentVolumeClaims of the Prometheus StatefulSet are never provisioned.*stay Pending.*Fix: name one of gp2, gp3/,
    );
  });

  it("rejects a priorityClassName no PriorityClass carries (t27: pods refused at admission)", async () => {
    const result = await run(
      mutateValues(withGp3(), "mimir", "distributor.priorityClassName", "observability-critical"),
    );
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /values\.distributor\.priorityClassName=observability-critical: no PriorityClass "observability-critical" exists \(the stack declares, or every EKS cluster has, only system-cluster-critical, system-node-critical\): the Priority admission plugin refuses every pod.*no PriorityClass with name/,
    );
  });

  it("rejects unknown classes in Loki claims and zones, Mimir zones, Strimzi pools and pod templates", async () => {
    let records = mutateValues(withGp3(), "loki", "ingester.persistence", {
      enabled: true,
      claims: [{ name: "data", size: "10Gi", storageClass: "io2" }],
    });
    records = mutateValues(records, "mimir", "ingester.zoneAwareReplication.zones", [
      { name: "zone-a", storageClass: "st1" },
    ]);
    records = mutate(records, "kafka-pool-brokers", ["spec", "storage"], {
      type: "persistent-claim",
      size: "100Gi",
      class: "kafka-ssd",
    });
    records = mutate(records, "kafka-cluster", ["spec", "kafka", "template", "pod", "priorityClassName"], "kafka-high");
    const messages = (await run(records)).violations.map((v) => v.message).join("\n");
    assert.match(messages, /values\.ingester\.persistence\.claims\[0\]\.storageClass=io2: no StorageClass "io2"/);
    assert.match(messages, /values\.ingester\.zoneAwareReplication\.zones\[0\]\.storageClass=st1/);
    assert.match(messages, /spec\.storage\.class=kafka-ssd: no StorageClass "kafka-ssd"/);
    assert.match(messages, /spec\.kafka\.template\.pod\.priorityClassName=kafka-high: no PriorityClass "kafka-high"/);
  });

  it("accepts built-in and declared classes, gp2, and classes in sections that render no claim", async () => {
    let records = prometheusClass("gp2");
    records = mutateValues(records, "mimir", "distributor.priorityClassName", "system-cluster-critical");
    records = mutateValues(records, "loki", "querier.priorityClassName", "observability-critical");
    records = [
      ...records,
      {
        type: "kubernetes:scheduling.k8s.io/v1:PriorityClass",
        name: "pc",
        props: { metadata: { name: "observability-critical" }, value: 1000000 },
      },
    ];
    // prometheus-operator takes the emptyDir over the claim template; Grafana's claim only with persistence.enabled.
    records = mutateValues(records, "kube-prometheus-stack", "alertmanager.alertmanagerSpec.storage", {
      emptyDir: {},
      volumeClaimTemplate: { spec: { storageClassName: "nope" } },
    });
    records = mutateValues(records, "kube-prometheus-stack", "grafana.persistence.storageClassName", "nope");
    records = mutateValues(records, "mimir", "compactor.persistentVolume", { enabled: false, storageClass: "nope" });
    records = mutateValues(records, "loki", "chunksCache.persistence.storageClass", "nope");
    // an empty chart value means the default class
    records = mutateValues(records, "mimir", "store_gateway.persistentVolume.storageClass", "");
    assert.deepEqual((await run(records)).violations, []);
  });

  it('reports a claim asking for no class ("-") as advisory only', async () => {
    const result = await run(mutateValues(withGp3(), "mimir", "store_gateway.persistentVolume.storageClass", "-"));
    assert.deepEqual(result.violations, []);
    assert.equal(result.advisories.length, 1);
    assert.match(
      result.advisories[0].message,
      /store_gateway\.persistentVolume\.storageClass asks for no StorageClass/,
    );
  });

  it("does not judge a cluster made outside the stack, nor a class name unknown in preview", async () => {
    const external = without(prometheusClass("gp3-retain"), "eks-cluster");
    assert.deepEqual((await run(external)).violations, []);
    const preview = withGp3(
      mutateValues(compliantStack(), "kube-prometheus-stack", "prometheus.prometheusSpec.storageSpec", {
        volumeClaimTemplate: { spec: { storageClassName: "gp3-retain" } },
      }),
      UNKNOWN,
    );
    const result = await run(preview);
    assert.deepEqual(result.violations, []);
  });
});
