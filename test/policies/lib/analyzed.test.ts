// A resource whose provider the engine never configured (the first preview of a new stack) reaches AnalyzeStack
// with properties {}: the pack judges it by the inputs its Analyze call received, never as absent; rules that read
// one resource judge it in that Analyze call already, before the resource is created (policies/lib/analyzed.ts).
import { strict as assert } from "assert";
import { kafkaInternalTopicsReplicationWithinBrokers } from "../../../policies/rules/kafka/internal-topics-replication-within-brokers";
import { analyzedContext } from "../../../policies/lib/analyzed";
import { mimirDistributorMemoryFitsProducerBuffer } from "../../../policies/rules/kafka/distributor-memory-fits-producer-buffer";
import { mimirQueryIngestersWithinExceedsStoreAfter } from "../../../policies/rules/mimir/query-ingesters-within-exceeds-store-after";
import { gatewaysRequireBasicAuth } from "../../../policies/rules/security/gateways-require-basic-auth";
import { compliantStack, mutate, mutateValues } from "../support/fixture";
import { ResourceRecord, resourceValidationArgs, runResourcePolicy, runStackPolicy, UNKNOWN } from "../support/harness";

const UNCONFIGURED = { name: "k8s", props: { kubeconfig: UNKNOWN, version: "4.34.2" } };
const CONFIGURED = { name: "k8s", props: { kubeconfig: "apiVersion: v1", version: "4.34.2" } };

const viaProvider = (records: ResourceRecord[], provider: ResourceRecord["provider"]) =>
  records.map((r) => (r.type.startsWith("kubernetes:") ? { ...r, provider } : r));

/** What AnalyzeStack carries in a new stack's first preview: every Kubernetes resource's state is empty. */
const asFirstPreview = (records: ResourceRecord[]) =>
  viaProvider(records, UNCONFIGURED).map((r) => (r.type.startsWith("kubernetes:") ? { ...r, props: {} } : r));

const withOffsetsRf = (records: ResourceRecord[], rf: number) =>
  mutate(records, "kafka-cluster", ["spec", "kafka", "config", "offsets.topic.replication.factor"], rf);

async function analyzeEach(policy: Parameters<typeof runResourcePolicy>[0], records: ResourceRecord[], stack: string) {
  const runs = [];
  for (const record of records) runs.push({ record, run: await runResourcePolicy(policy, record, {}, stack) });
  return runs;
}

describe("the pack in a new stack's first preview (lib/analyzed.ts)", () => {
  it("treats an unconfigured provider's empty resource as unknown, not absent: no false block", async () => {
    // Before: K6 read {} as "0 brokers" and blocked every new stack with offsets RF 3 > 0 brokers.
    const run = await runStackPolicy(
      kafkaInternalTopicsReplicationWithinBrokers,
      asFirstPreview(compliantStack()),
      {},
      "never-analyzed",
    );
    assert.deepEqual(run.violations, []);
    assert.match(
      run.advisories.map((a) => a.message).join("\n"),
      /can't run policy 'kafka-internal-topics-replication-within-brokers' during preview: kubernetes:.* and \d+ more unknown until their provider is configured/,
    );
  });

  it("judges those resources by the inputs their Analyze calls received, exactly as in an update", async () => {
    const conflicting = withOffsetsRf(compliantStack(), 5);
    const update = await runStackPolicy(kafkaInternalTopicsReplicationWithinBrokers, conflicting, {}, "k6-update");
    assert.equal(update.violations.length, 1);

    const analyzed = viaProvider(conflicting, UNCONFIGURED);
    await analyzeEach(kafkaInternalTopicsReplicationWithinBrokers, analyzed, "k6-preview");
    const preview = await runStackPolicy(
      kafkaInternalTopicsReplicationWithinBrokers,
      asFirstPreview(conflicting),
      {},
      "k6-preview",
    );
    assert.deepEqual(
      preview.violations.map((v) => v.message),
      update.violations.map((v) => v.message),
    );
  });

  it("keeps reading a configured provider's resources from their state", async () => {
    const conflicting = viaProvider(withOffsetsRf(compliantStack(), 5), CONFIGURED);
    // Analyze saw the compliant inputs; the state is what counts when the provider is configured.
    await analyzeEach(
      kafkaInternalTopicsReplicationWithinBrokers,
      viaProvider(compliantStack(), CONFIGURED),
      "k6-configured",
    );
    const run = await runStackPolicy(kafkaInternalTopicsReplicationWithinBrokers, conflicting, {}, "k6-configured");
    assert.equal(run.violations.length, 1);
  });
});

describe("per-resource judgement in Analyze, before the resource is created", () => {
  const lokiOpen = () =>
    viaProvider(mutateValues(compliantStack(), "loki", "gateway.basicAuth.enabled", false), UNCONFIGURED);

  it("judges a single-resource rule on that resource, with the environment from the AWS resources analyzed before it", async () => {
    const runs = await analyzeEach(gatewaysRequireBasicAuth, lokiOpen(), "s8-analyze");
    const found = runs.filter((r) => r.run.violations.length > 0);
    assert.deepEqual(
      found.map((r) => r.record.name),
      ["loki"],
    );
    assert.match(
      found[0].run.violations[0].message,
      /loki release "loki" values\.gateway\.basicAuth\.enabled=false .* in prod \(tag observability\/profile=prod on the AWS resources\)/,
    );
  });

  it("does not repeat that finding at AnalyzeStack, and still reports what Analyze did not", async () => {
    const records = lokiOpen();
    await analyzeEach(gatewaysRequireBasicAuth, records, "s8-dedup");
    assert.deepEqual(
      (await runStackPolicy(gatewaysRequireBasicAuth, asFirstPreview(records), {}, "s8-dedup")).violations,
      [],
    );
    // Without the Analyze calls (another stack), the stack call reports it.
    const unanalyzed = await runStackPolicy(
      gatewaysRequireBasicAuth,
      viaProvider(records, CONFIGURED),
      {},
      "s8-no-analyze",
    );
    assert.equal(unanalyzed.violations.length, 1);
  });

  it("leaves cross-resource rules to AnalyzeStack: an incomplete stack never blocks a creation", async () => {
    // The Kafka resource alone has no node pools (0 brokers): judged per resource, K6 would block every stack.
    const runs = await analyzeEach(
      kafkaInternalTopicsReplicationWithinBrokers,
      viaProvider(compliantStack(), UNCONFIGURED),
      "k6-analyze",
    );
    assert.deepEqual(
      runs.flatMap((r) => [...r.run.violations, ...r.run.advisories]),
      [],
    );
  });
});

describe("per-resource judgement: what it leaves to AnalyzeStack", () => {
  it("reports a finding that names no resource (a bad policy config) once, at AnalyzeStack, never on every resource", async () => {
    const config = { distributorWorkingSet: "lots" };
    const records = viaProvider(compliantStack(), CONFIGURED);
    const perResource = [];
    for (const record of records)
      perResource.push(
        ...(await runResourcePolicy(mimirDistributorMemoryFitsProducerBuffer, record, config, "k11-config")).violations,
      );
    assert.deepEqual(perResource, []);
    const stack = await runStackPolicy(mimirDistributorMemoryFitsProducerBuffer, records, config, "k11-config");
    assert.equal(stack.violations.length, 1);
    assert.match(stack.violations[0].message, /distributorWorkingSet/);
  });

  it("does not judge before an AWS resource has told the environment: no strictest-environment false block", async () => {
    const loki = mutateValues(compliantStack(), "loki", "gateway.basicAuth.enabled", false).find(
      (r) => r.name === "loki",
    )!;
    // Analyzed first in its stack: nothing says whether this is dev (where an open gateway is allowed) or prod.
    const run = await runResourcePolicy(gatewaysRequireBasicAuth, loki, {}, "s8-no-environment");
    assert.deepEqual(run.violations, []);
  });

  it("gives a per-resource judgement only the profile tag of the AWS resources analyzed before, nothing else of them", async () => {
    const stack = "context-only-tags";
    const records = viaProvider(compliantStack(), CONFIGURED);
    for (const record of records.filter((r) => r.type.startsWith("aws:")))
      await runResourcePolicy(gatewaysRequireBasicAuth, record, {}, stack);
    const mimir = records.find((r) => r.name === "mimir")!;
    const context = analyzedContext(resourceValidationArgs(mimir, {}, stack) as never);
    assert.equal(context.length, 2);
    assert.deepEqual(context[1].props, { tags: { "observability/profile": "prod" } });
  });
});

describe("per-resource judgement before the environment is known", () => {
  it("still judges the rules that do not need it (Mimir's startup rules)", async () => {
    const records = mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.querier.query_store_after", "48h");
    const mimir = records.find((r) => r.name === "mimir")!;
    // Analyzed first in its stack: no AWS resource has said which environment this is.
    const run = await runResourcePolicy(mimirQueryIngestersWithinExceedsStoreAfter, mimir, {}, "m1-no-environment");
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /query_store_after/);
  });

  it("judges environment rules once the policy config names the environment", async () => {
    const loki = mutateValues(compliantStack(), "loki", "gateway.basicAuth.enabled", false).find(
      (r) => r.name === "loki",
    )!;
    const run = await runResourcePolicy(
      gatewaysRequireBasicAuth,
      loki,
      { environment: "prod" },
      "s8-configured-environment",
    );
    assert.equal(run.violations.length, 1);
  });
});
