import { strict as assert } from "assert";
import { mimirConfigEnvDefined } from "../../../../policies/rules/mimir/config-env-defined";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

describe("policy mimir-config-env-defined (M16)", () => {
  it("accepts the fixture: the config's ${KAFKA_SASL_PASSWORD} comes from global.extraEnv", async () => {
    assert.deepEqual((await runStackPolicy(mimirConfigEnvDefined, compliantStack())).violations, []);
  });

  it("rejects a component whose env defines it but global.extraEnv no longer does", async () => {
    let records = mutateValues(compliantStack(), "mimir", "global.extraEnv", []);
    records = mutateValues(records, "mimir", "ingester.env", [{ name: "GOMEMLIMIT", value: "13GiB" }]);
    const run = await runStackPolicy(mimirConfigEnvDefined, records);
    assert.ok(run.violations.length >= 1);
    assert.match(
      run.violations.map((v) => v.message).join("\n"),
      /names \$\{KAFKA_SASL_PASSWORD\}, but values\.ingester\.env \(GOMEMLIMIT\) and values\.global\.extraEnv do not define it: .*empty string in every ingester pod/,
    );
  });

  it("accepts a reference with a default (${VAR:default}), which Mimir falls back to when VAR is unset", async () => {
    const records = mutateValues(
      compliantStack(),
      "mimir",
      "mimir.structuredConfig.ingest_storage.kafka.client_id",
      "${KAFKA_CLIENT_ID:mimir}",
    );
    assert.deepEqual((await runStackPolicy(mimirConfigEnvDefined, records)).violations, []);
    const required = mutateValues(
      compliantStack(),
      "mimir",
      "mimir.structuredConfig.ingest_storage.kafka.client_id",
      "${KAFKA_CLIENT_ID}",
    );
    assert.match((await runStackPolicy(mimirConfigEnvDefined, required)).violations[0].message, /KAFKA_CLIENT_ID/);
  });

  it("accepts each component defining the variable itself, and a disabled component without it", async () => {
    let records = mutateValues(compliantStack(), "mimir", "global.extraEnv", []);
    const env = [{ name: "KAFKA_SASL_PASSWORD", value: "from-a-secret-in-real-life" }];
    for (const section of [
      "alertmanager",
      "compactor",
      "distributor",
      "ingester",
      "overrides_exporter",
      "querier",
      "query_frontend",
      "query_scheduler",
      "store_gateway",
    ])
      records = mutateValues(records, "mimir", `${section}.env`, env);
    records = mutateValues(records, "mimir", "ruler.enabled", false);
    assert.deepEqual((await runStackPolicy(mimirConfigEnvDefined, records)).violations, []);
  });
});

describe("policy mimir-compactor-runs (M17)", () => {
  it("rejects compactor.replicas 0 and accepts 1 or the chart default", async () => {
    const { mimirCompactorRuns } = await import("../../../../policies/rules/mimir/compactor-runs");
    const run = await runStackPolicy(
      mimirCompactorRuns,
      mutateValues(compliantStack(), "mimir", "compactor.replicas", 0),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /compactor\.replicas=0: no compactor runs, so nothing writes the bucket index/,
    );
    for (const replicas of [1, undefined])
      assert.deepEqual(
        (
          await runStackPolicy(
            mimirCompactorRuns,
            mutateValues(compliantStack(), "mimir", "compactor.replicas", replicas),
          )
        ).violations,
        [],
      );
  });
});
