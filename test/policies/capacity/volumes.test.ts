import { strict as assert } from "assert";
import { volumesWithinEbsLimit } from "../../../policies/rules/capacity/volumes-within-ebs-limit";
import { mutate } from "../support/fixture";
import { runStackPolicy } from "../support/harness";
import { capacityStack } from "./fixture";

describe("policy volumes-within-ebs-limit (C6)", () => {
  it("accepts the fixture's volumes", async () => {
    assert.deepEqual((await runStackPolicy(volumesWithinEbsLimit, capacityStack())).violations, []);
  });

  it("rejects an ingester volume larger than one gp3 volume", async () => {
    const records = mutate(capacityStack(), "mimir", ["values", "ingester", "persistentVolume"], {
      enabled: true,
      size: "20Ti",
    });
    const run = await runStackPolicy(volumesWithinEbsLimit, records);
    assert.ok(run.violations.length >= 1);
    assert.match(
      run.violations[0].message,
      /ingester.* claims 20,480 GiB per pod, more than the 16,384 GiB a gp3 EBS volume holds: .* stays Pending/,
    );
  });

  it("accepts a volume of exactly 16 TiB", async () => {
    const records = mutate(capacityStack(), "mimir", ["values", "ingester", "persistentVolume"], {
      enabled: true,
      size: "16Ti",
    });
    assert.deepEqual((await runStackPolicy(volumesWithinEbsLimit, records)).violations, []);
  });
});
