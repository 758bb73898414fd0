import { strict as assert } from "assert";
import { volumeClaimsProvisionable } from "../../../../policies/rules/workloads/volume-claims-provisionable";
import { compliantStack, mutateValues } from "../../support/fixture";
import { ResourceRecord, runStackPolicy } from "../../support/harness";

/** The program's default StorageClass (components/cluster/index.ts storageClass()). */
function withGp3(records: ResourceRecord[] = compliantStack()): ResourceRecord[] {
  return [
    ...records,
    {
      type: "kubernetes:storage.k8s.io/v1:StorageClass",
      name: "obs-gp3",
      props: {
        metadata: { name: "gp3", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
        provisioner: "ebs.csi.aws.com",
        parameters: { type: "gp3", encrypted: "true" },
      },
    },
  ];
}

const messages = async (records: ResourceRecord[]) =>
  (await runStackPolicy(volumeClaimsProvisionable, records)).violations.map((v) => v.message);

const prometheusModes = (modes: unknown, extra: Record<string, unknown> = {}, records = withGp3()) =>
  mutateValues(records, "kube-prometheus-stack", "prometheus.prometheusSpec.storageSpec", {
    volumeClaimTemplate: {
      spec: { storageClassName: "gp3", accessModes: modes, resources: { requests: { storage: "100Gi" } }, ...extra },
    },
  });

describe("policy volume-claims-provisionable (P8)", () => {
  it("passes the fixture and ReadWriteOnce / ReadWriteOncePod alone", async () => {
    assert.deepEqual(await messages(withGp3()), []);
    assert.deepEqual(await messages(prometheusModes(["ReadWriteOnce"])), []);
    assert.deepEqual(await messages(prometheusModes(["ReadWriteOncePod"])), []);
    assert.deepEqual(await messages(prometheusModes(["ReadWriteOnce", "ReadWriteOnce"])), []);
  });

  it("refuses ReadWriteMany on the gp3 class for Prometheus (j21: the EBS CSI driver refuses CreateVolume)", async () => {
    const found = await messages(prometheusModes(["ReadWriteMany"]));
    assert.equal(found.length, 1, found.join("\n"));
    assert.match(
      found[0],
      /prometheus\.prometheusSpec\.storageSpec\.volumeClaimTemplate\.spec\.accessModes=\["ReadWriteMany"\]: the claim of the Prometheus StatefulSet uses StorageClass gp3 .*EBS gp3 volume through ebs\.csi\.aws\.com.*"Volume capabilities not supported".*io1\/io2 only.*stays Pending.*Fix: use accessModes \[ReadWriteOnce\]/,
    );
  });

  it("refuses ReadOnlyMany and ReadWriteMany on the default class (no class named) in Mimir, Loki and Alloy claims", async () => {
    const mimir = await messages(
      mutateValues(withGp3(), "mimir", "store_gateway.persistentVolume", {
        enabled: true,
        accessModes: ["ReadOnlyMany"],
      }),
    );
    assert.equal(mimir.length, 1, mimir.join("\n"));
    assert.match(
      mimir[0],
      /store_gateway\.persistentVolume\.accessModes=\["ReadOnlyMany"\]: .*the default StorageClass gp3/,
    );
    const loki = await messages(
      mutateValues(withGp3(), "loki", "ingester.persistence.claims", [
        { name: "data", size: "10Gi", accessModes: ["ReadWriteMany"] },
      ]),
    );
    assert.equal(loki.length, 1, loki.join("\n"));
    assert.match(
      loki[0],
      /ingester\.persistence\.claims\[0\]\.accessModes=\["ReadWriteMany"\]: the claim of the ingester pods/,
    );
    const alloy = await messages(
      mutateValues(
        mutateValues(withGp3(), "alloy", "controller.type", "statefulset"),
        "alloy",
        "controller.volumeClaimTemplates",
        [{ metadata: { name: "wal" }, spec: { accessModes: ["ReadWriteMany"] } }],
      ),
    );
    assert.equal(alloy.length, 1, alloy.join("\n"));
    assert.match(alloy[0], /the Alloy StatefulSet uses the default StorageClass gp3/);
  });

  it("refuses ReadWriteOncePod with another mode and an unknown mode, whatever the class", async () => {
    const mixed = await messages(prometheusModes(["ReadWriteOncePod", "ReadWriteOnce"]));
    assert.equal(mixed.length, 1, mixed.join("\n"));
    assert.match(mixed[0], /may not use ReadWriteOncePod with other access modes/);
    const typo = await messages(prometheusModes(["ReadWriteOnly"]));
    assert.equal(typo.length, 1, typo.join("\n"));
    assert.match(typo[0], /Unsupported value "ReadWriteOnly"/);
  });

  it("passes shared modes where the provisioner can give them: a non-EBS class, io2 Block Multi-Attach", async () => {
    const efs: ResourceRecord = {
      type: "kubernetes:storage.k8s.io/v1:StorageClass",
      name: "obs-efs",
      props: { metadata: { name: "efs" }, provisioner: "efs.csi.aws.com" },
    };
    const records = [...withGp3(), efs];
    assert.deepEqual(
      await messages(
        mutateValues(records, "kube-prometheus-stack", "prometheus.prometheusSpec.storageSpec", {
          volumeClaimTemplate: { spec: { storageClassName: "efs", accessModes: ["ReadWriteMany"] } },
        }),
      ),
      [],
    );
    const io2: ResourceRecord = {
      type: "kubernetes:storage.k8s.io/v1:StorageClass",
      name: "obs-io2",
      props: { metadata: { name: "io2" }, provisioner: "ebs.csi.aws.com", parameters: { type: "io2" } },
    };
    assert.deepEqual(
      await messages(
        mutateValues([...withGp3(), io2], "kube-prometheus-stack", "prometheus.prometheusSpec.storageSpec", {
          volumeClaimTemplate: {
            spec: { storageClassName: "io2", accessModes: ["ReadWriteMany"], volumeMode: "Block" },
          },
        }),
      ),
      [],
    );
    // gp3 Block is still refused (Multi-Attach is io1/io2 only).
    assert.equal((await messages(prometheusModes(["ReadWriteMany"], { volumeMode: "Block" }))).length, 1);
    // emptyDir wins over the template (prometheus-operator): no claim.
    assert.deepEqual(
      await messages(
        mutateValues(
          prometheusModes(["ReadWriteMany"]),
          "kube-prometheus-stack",
          "prometheus.prometheusSpec.storageSpec.emptyDir",
          {},
        ),
      ),
      [],
    );
  });
});
