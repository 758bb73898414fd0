import { strict as assert } from "assert";
import { lokiAdmitsContainerLogLines } from "../../../../policies/rules/loki/admits-container-log-lines";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const run = (path: string, value: unknown) =>
  runStackPolicy(lokiAdmitsContainerLogLines, mutateValues(compliantStack(), "loki", path, value));

describe("policy loki-admits-container-log-lines (L13)", () => {
  it("passes Loki's default 256KB line limit", async () => {
    assert.deepEqual((await runStackPolicy(lokiAdmitsContainerLogLines, compliantStack())).violations, []);
  });

  it("rejects a default line limit below the 16 KiB a container runtime writes whole", async () => {
    const { violations } = await run("loki.limits_config.max_line_size", "100B");
    assert.equal(violations.length, 1);
    assert.match(
      violations[0].message,
      /^the defaults of loki release "loki": max_line_size 100 bytes \(.*limits_config\.max_line_size.*\) < 16384 bytes.*line too long.*data loss/,
    );
  });

  it("rejects a tenant's own lower limit, and passes its neighbours: 16KB exactly, 0 (no limit), truncation", async () => {
    const { violations } = await run("loki.runtimeConfig.overrides", {
      "team-a": { max_line_size: "4KB" },
      "team-b": { max_line_size: "16KB" },
      "team-c": { max_line_size: 0 },
      "team-d": { max_line_size: "1KB", max_line_size_truncate: true },
    });
    assert.deepEqual(
      violations.map((v) => v.message.split(":")[0]),
      ['tenant "team-a" of loki release "loki"'],
    );
  });

  it("applies the defaults' truncation to a tenant that sets only its size", async () => {
    const records = mutateValues(compliantStack(), "loki", "loki.limits_config.max_line_size_truncate", true);
    const withTenant = mutateValues(records, "loki", "loki.runtimeConfig.overrides", {
      "team-a": { max_line_size: 512 },
    });
    assert.deepEqual((await runStackPolicy(lokiAdmitsContainerLogLines, withTenant)).violations, []);
  });
});
