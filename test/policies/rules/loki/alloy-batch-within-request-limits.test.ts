import { strict as assert } from "assert";
import { alloyBatchWithinRequestLimits } from "../../../../policies/rules/loki/alloy-batch-within-request-limits";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const run = (records = compliantStack()) => runStackPolicy(alloyBatchWithinRequestLimits, records);
const distributor = (key: string, value: unknown) =>
  mutateValues(compliantStack(), "loki", `loki.distributor.${key}`, value);

describe("policy alloy-batch-within-loki-request-limits (L12)", () => {
  it("passes the compliant fixture (Loki's 5000 MiB / 100 MiB defaults)", async () => {
    assert.deepEqual((await run()).violations, []);
  });

  it("rejects a decompressed-size limit below Alloy's 1MiB batch: 413, not retried, dropped", async () => {
    const result = await run(distributor("max_decompressed_size", 262144));
    assert.equal(result.violations.length, 1);
    assert.match(
      result.violations[0].message,
      /batch_size=1MiB .* >= loki release "loki" values\.loki\.distributor\.max_decompressed_size=262144 .*413 Request Entity Too Large, which Alloy does not retry/,
    );
  });

  it("reads structuredConfig and max_recv_msg_size too, and accepts limits above the batch or 0", async () => {
    const structured = mutateValues(
      compliantStack(),
      "loki",
      "loki.structuredConfig.distributor.max_recv_msg_size",
      524288,
    );
    assert.match((await run(structured)).violations[0]?.message ?? "", /max_recv_msg_size=524288/);
    assert.deepEqual((await run(distributor("max_decompressed_size", 8 * 2 ** 20))).violations, []);
    assert.deepEqual(
      (await run(distributor("max_decompressed_size", 0))).violations,
      [],
      "0: Loki uses 50 x max_recv_msg_size",
    );
  });
});
