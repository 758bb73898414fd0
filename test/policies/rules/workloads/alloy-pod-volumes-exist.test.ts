import { strict as assert } from "assert";
import { alloyPodVolumesExist } from "../../../../policies/rules/workloads/alloy-pod-volumes-exist";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

// The program's hostPath volume and its mount (components/alloy/values.ts).
const DATA_VOLUME = { name: "alloy-data", hostPath: { path: "/var/lib/alloy", type: "DirectoryOrCreate" } };
const DATA_MOUNT = { name: "alloy-data", mountPath: "/var/lib/alloy" };

function programAlloy() {
  let records = mutateValues(compliantStack(), "alloy", "controller.volumes.extra", [DATA_VOLUME]);
  records = mutateValues(records, "alloy", "alloy.mounts", { varlog: true, extra: [DATA_MOUNT] });
  return mutateValues(records, "alloy", "alloy.configMap.create", true);
}

async function messages(records: ReturnType<typeof compliantStack>): Promise<string[]> {
  return (await runStackPolicy(alloyPodVolumesExist, records)).violations.map((v) => v.message);
}

describe("policy alloy-pod-volumes-exist (P9)", () => {
  it("passes the compliant fixture and the program's volume and mount", async () => {
    assert.deepEqual(await messages(compliantStack()), []);
    assert.deepEqual(await messages(programAlloy()), []);
  });

  it("rejects configMap.create false without a name (held-out h15): the pods mount a ConfigMap nobody creates", async () => {
    const found = await messages(mutateValues(programAlloy(), "alloy", "alloy.configMap.create", false));
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /^alloy release "alloy" values\.alloy\.configMap\.create=false and no alloy\.configMap\.name: the Alloy pods still mount volume "config" from ConfigMap "alloy" .* every Alloy pod stays in ContainerCreating/,
    );
  });

  it("rejects a controller.volumes.extra override that drops the volume alloy.mounts.extra mounts (held-out h16)", async () => {
    const found = await messages(
      mutateValues(programAlloy(), "alloy", "controller.volumes.extra", [{ name: "scratch", emptyDir: {} }]),
    );
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /^alloy release "alloy" values\.alloy\.mounts\.extra mounts "alloy-data" into the Alloy container, but the pod has no such volume \(controller\.volumes\.extra: scratch; the chart adds only config, varlog\)\. .*The API server rejects the pod template/,
    );
  });

  it("accepts a named ConfigMap, one the stack declares, the program's list extended, and a StatefulSet claim", async () => {
    const named = mutateValues(
      mutateValues(programAlloy(), "alloy", "alloy.configMap.create", false),
      "alloy",
      "alloy.configMap.name",
      "alloy-gitops",
    );
    assert.deepEqual(await messages(named), []);
    const declared = [
      ...mutateValues(programAlloy(), "alloy", "alloy.configMap.create", false),
      {
        type: "kubernetes:core/v1:ConfigMap",
        name: "alloy-config",
        props: { metadata: { name: "alloy", namespace: "monitoring" } },
      },
    ];
    assert.deepEqual(await messages(declared), []);
    const extended = mutateValues(programAlloy(), "alloy", "controller.volumes.extra", [
      DATA_VOLUME,
      { name: "scratch", emptyDir: {} },
    ]);
    assert.deepEqual(await messages(extended), []);
    let claim = mutateValues(programAlloy(), "alloy", "controller.volumes.extra", []);
    claim = mutateValues(claim, "alloy", "controller.type", "statefulset");
    claim = mutateValues(claim, "alloy", "controller.volumeClaimTemplates", [{ metadata: { name: "alloy-data" } }]);
    assert.deepEqual(await messages(claim), []);
    // the same claim on a DaemonSet gives no volume
    assert.equal((await messages(mutateValues(claim, "alloy", "controller.type", "daemonset"))).length, 1);
  });
});
