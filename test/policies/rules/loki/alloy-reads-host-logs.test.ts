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

  describe("the Alloy user can read the root-owned 0640 log files", () => {
    const mounted = () => mutateValues(tailing(), "alloy", "alloy.mounts.varlog", true);
    const secured = (ctx: unknown, records = mounted()) => mutateValues(records, "alloy", "alloy.securityContext", ctx);

    it("rejects a non-root runAsUser, a pod-level runAsUser and runAsNonRoot alone", async () => {
      for (const [records, who] of [
        [secured({ runAsUser: 473, runAsGroup: 473, runAsNonRoot: true }), /runAsUser=473/],
        [
          mutateValues(mounted(), "alloy", "controller.podSecurityContext", { runAsUser: 1000 }),
          /podSecurityContext\.runAsUser=1000/,
        ],
        [secured({ runAsNonRoot: true }), /runAsNonRoot=true/],
      ] as const) {
        const run = await runStackPolicy(alloyReadsHostLogs, records);
        assert.equal(run.violations.length, 1);
        assert.match(run.violations[0].message, who);
        assert.match(
          run.violations[0].message,
          /as a non-root user .*root:root with mode 0640 .*permission denied .*DAC_READ_SEARCH/,
        );
      }
    });

    it("accepts root, a container runAsUser 0 over a pod's non-root user, group 0, and CAP_DAC_READ_SEARCH", async () => {
      for (const records of [
        secured({ runAsUser: 0 }),
        secured(
          { runAsUser: 0 },
          mutateValues(mounted(), "alloy", "controller.podSecurityContext", { runAsUser: 1000 }),
        ),
        secured({ runAsUser: 473, runAsGroup: 0 }),
        secured({ runAsUser: 473, capabilities: { add: ["DAC_READ_SEARCH"] } }),
        secured({ runAsUser: 473, capabilities: { add: ["CAP_DAC_OVERRIDE"] } }),
        secured({ readOnlyRootFilesystem: true }),
      ])
        assert.deepEqual((await runStackPolicy(alloyReadsHostLogs, records)).violations, []);
    });
  });
});
