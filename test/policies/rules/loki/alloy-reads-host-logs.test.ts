import { strict as assert } from "assert";
import { alloyReadsHostLogs } from "../../../../policies/rules/loki/alloy-reads-host-logs";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const TAILING = `local.file_match "pods" {\n  path_targets = [{"__path__" = "/var/log/pods/*/*/*.log"}]\n}\n`;

describe("policy alloy-reads-host-logs (L7)", () => {
  const tailing = () => mutateValues(compliantStack(), "alloy", "alloy.configMap.content", TAILING);

  it("rejects a config tailing /var/log without the host mount (chart default varlog false)", async () => {
    const run = await runStackPolicy(alloyReadsHostLogs, tailing());
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /tails files under \/var\/log .*not mounted, so Alloy finds no log file/);
  });

  it("accepts the mount, an extra mount of /var/log, and a config that reads no file", async () => {
    for (const records of [
      mutateValues(tailing(), "alloy", "alloy.mounts.varlog", true),
      mutateValues(tailing(), "alloy", "alloy.mounts.extra", [{ name: "logs", mountPath: "/var/log" }]),
      compliantStack(),
    ])
      assert.deepEqual((await runStackPolicy(alloyReadsHostLogs, records)).violations, []);
  });
});
