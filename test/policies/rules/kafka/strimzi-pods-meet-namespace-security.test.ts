import { strict as assert } from "assert";
import { strimziPodsMeetNamespaceSecurity } from "../../../../policies/rules/kafka/strimzi-pods-meet-namespace-security";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

/** The Kafka namespace as the program declares it: Pod Security restricted (components/shared/pod-security.ts). */
const withNamespace = (enforce: string, records = compliantStack()) => [
  ...records,
  {
    type: "kubernetes:core/v1:Namespace",
    name: "kafka-namespace",
    props: { metadata: { name: "kafka", labels: { "pod-security.kubernetes.io/enforce": enforce } } },
  },
];
const provider = (value: string) =>
  mutateValues(compliantStack(), "strimzi-operator", "extraEnvs", [
    { name: "STRIMZI_POD_SECURITY_PROVIDER_CLASS", value },
  ]);
const messages = async (records: ReturnType<typeof compliantStack>) =>
  (await runStackPolicy(strimziPodsMeetNamespaceSecurity, records)).violations.map((v) => v.message);

describe("policy strimzi-pods-meet-namespace-security (P7)", () => {
  it("passes the restricted provider in a restricted namespace, by alias or class name", async () => {
    assert.deepEqual(await messages(withNamespace("restricted", provider("restricted"))), []);
    const byClass = provider("io.strimzi.plugin.security.profiles.impl.RestrictedPodSecurityProvider");
    assert.deepEqual(await messages(withNamespace("restricted", byClass)), []);
  });

  it("rejects a restricted namespace whose operator lost the provider (an extraEnvs override replaces the list)", async () => {
    const found = await messages(withNamespace("restricted"));
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /namespace kafka, which enforces pod-security\.kubernetes\.io\/enforce=restricted, but .* has no STRIMZI_POD_SECURITY_PROVIDER_CLASS.*baseline Pod Security Provider/,
    );
    assert.match(
      (await messages(withNamespace("restricted", provider("baseline"))))[0],
      /sets STRIMZI_POD_SECURITY_PROVIDER_CLASS="baseline"/,
    );
  });

  it("accepts the baseline provider where the namespace enforces baseline or nothing", async () => {
    assert.deepEqual(await messages(withNamespace("baseline")), []);
    assert.deepEqual(await messages(compliantStack()), []);
  });
});
