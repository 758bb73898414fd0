import { strict as assert } from "assert";
import { lokiReferencedComponentsRun } from "../../../../policies/rules/loki/referenced-components-run";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy, UNKNOWN } from "../../support/harness";

const base = () => compliantStack();
const withValue = (path: string, value: unknown, records = base()) => mutateValues(records, "loki", path, value);

async function violations(records: ReturnType<typeof compliantStack>): Promise<string[]> {
  return (await runStackPolicy(lokiReferencedComponentsRun, records)).violations.map((v) => v.message);
}

describe("policy loki-referenced-components-run (L14)", () => {
  it("passes the compliant fixture (Distributed, every referenced component running)", async () => {
    assert.deepEqual(await violations(base()), []);
    // Without its queryScheduler section the chart default is 0 while the chart points the frontends at one.
    assert.match(
      (await violations(withValue("queryScheduler", undefined))).join("\n"),
      /chart default queryScheduler\.replicas=0/,
    );
  });

  it("rejects a zero-replica index gateway, query scheduler, querier and compactor the chart still points at", async () => {
    const cases: Array<[string, RegExp]> = [
      [
        "indexGateway",
        /indexGateway\.replicas=0: no indexGateway pod runs, yet storage_config\.tsdb_shipper\.index_gateway_client\.server_address .* point at it .*loki\.indexGatewayAddress.*deploymentMode=Distributed.*every query over logs the ingesters no longer hold fails/,
      ],
      [
        "queryScheduler",
        /queryScheduler\.replicas=0: .*frontend\.scheduler_address and frontend_worker\.scheduler_address .*no log query runs/,
      ],
      ["querier", /querier\.replicas=0: .*frontend\.tail_proxy_url.*every log query fails/],
      ["compactor", /compactor\.replicas=0: .*common\.compactor_grpc_address.*retention .* never applied/],
    ];
    for (const [key, pattern] of cases) {
      const messages = await violations(withValue(`${key}.replicas`, 0));
      assert.equal(messages.length, 1, messages.join("\n"));
      assert.match(messages[0], pattern);
    }
  });

  it("rejects the backend at zero in SimpleScalable (it stands in for the index gateway and compactor)", async () => {
    const scalable = withValue("deploymentMode", "SimpleScalable", withValue("backend.replicas", 0));
    const messages = await violations(scalable);
    assert.equal(messages.length, 2, messages.join("\n"));
    assert.match(messages.join("\n"), /backend\.replicas=0: no backend pod runs, yet storage_config\.tsdb_shipper/);
  });

  it("passes benign neighbours: autoscaled, an explicit address, Monolithic, bloom components at zero, unknown", async () => {
    const stacks = [
      withValue("indexGateway.autoscaling.enabled", true, withValue("indexGateway.replicas", 0)),
      withValue(
        "loki.structuredConfig.storage_config.tsdb_shipper.index_gateway_client.server_address",
        "",
        withValue("indexGateway.replicas", 0),
      ),
      // Monolithic: the helpers render empty (index gateway, scheduler) or the single binary (compactor).
      withValue("deploymentMode", "Monolithic", withValue("indexGateway.replicas", 0)),
      // The bloom gateway and planner are optional: clients fall back to the unfiltered chunk list.
      withValue("loki.bloom_gateway.enabled", true, withValue("bloomGateway.replicas", 0)),
      withValue("indexGateway.replicas", UNKNOWN),
    ];
    for (const stack of stacks) assert.deepEqual(await violations(stack), []);
  });
});
