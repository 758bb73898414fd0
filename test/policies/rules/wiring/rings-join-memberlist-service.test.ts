import { strict as assert } from "assert";
import { ringsJoinMemberlistService } from "../../../../policies/rules/wiring/rings-join-memberlist-service";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const MIMIR_JOIN = "mimir.structuredConfig.memberlist.join_members";
const LOKI_JOIN = "loki.structuredConfig.memberlist.join_members";

describe("policy rings-join-memberlist-service (W6)", () => {
  it("passes the compliant stack (the charts' own join lists)", async () => {
    assert.deepEqual((await runStackPolicy(ringsJoinMemberlistService, compliantStack())).violations, []);
  });

  it("rejects a Mimir join address naming a Service the chart does not render", async () => {
    const run = await runStackPolicy(
      ringsJoinMemberlistService,
      mutateValues(compliantStack(), "mimir", MIMIR_JOIN, ["dns+mimir-gossip-ring-typo.mimir.svc.cluster.local:7946"]),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /join_members: "dns\+mimir-gossip-ring-typo\.mimir\.svc\.cluster\.local:7946" names Service "mimir-gossip-ring-typo".*gossips alone.*too many unhealthy instances in the ring.*dns\+mimir-gossip-ring\.mimir\.svc\.cluster\.local:7946/,
    );
  });

  it("rejects a Loki join address with a typo, naming the start-up abort", async () => {
    const run = await runStackPolicy(
      ringsJoinMemberlistService,
      mutateValues(compliantStack(), "loki", LOKI_JOIN, ["loki-memberlist-typo.loki.svc.cluster.local:7946"]),
    );
    assert.equal(run.violations.length, 1);
    assert.match(
      run.violations[0].message,
      /"loki-memberlist-typo".*abort_if_cluster_join_fails.*loki-memberlist\.loki\.svc\.cluster\.local/,
    );
  });

  it("rejects the right Service in the wrong namespace, on the wrong port, or a wrong SRV port name", async () => {
    for (const [entry, why] of [
      ["dns+mimir-gossip-ring.default.svc.cluster.local:7946", /names namespace "default"/],
      [
        "dns+mimir-gossip-ring.mimir.svc.cluster.local:7947",
        /dials port 7947, but the members listen for gossip on 7946/,
      ],
      ["dnssrv+_grpc._tcp.mimir-gossip-ring.mimir.svc.cluster.local", /SRV port name "grpc".*"gossip-ring"/],
    ] as const) {
      const run = await runStackPolicy(
        ringsJoinMemberlistService,
        mutateValues(compliantStack(), "mimir", MIMIR_JOIN, [entry]),
      );
      assert.equal(run.violations.length, 1, entry);
      assert.match(run.violations[0].message, why);
    }
  });

  it("rejects loki.memberlistConfig without join_members", async () => {
    const run = await runStackPolicy(
      ringsJoinMemberlistService,
      mutateValues(compliantStack(), "loki", "loki.memberlistConfig", { bind_port: 7946 }),
    );
    assert.equal(run.violations.length, 1);
    assert.match(run.violations[0].message, /memberlistConfig replaces the chart's memberlist section/);
  });

  it("accepts the gossip Service in every resolvable form, and one good entry among bad ones", async () => {
    for (const entry of [
      "dns+mimir-gossip-ring.mimir.svc.cluster.local:7946",
      "mimir-gossip-ring:7946",
      "mimir-gossip-ring.mimir",
      "dns+mimir-gossip-ring.mimir.svc:7946",
      "dnssrv+_gossip-ring._tcp.mimir-gossip-ring.mimir.svc.cluster.local",
      "dns+mimir-ingester-headless.mimir.svc.cluster.local:7946",
    ]) {
      const run = await runStackPolicy(
        ringsJoinMemberlistService,
        mutateValues(compliantStack(), "mimir", MIMIR_JOIN, [entry]),
      );
      assert.deepEqual(run.violations, [], entry);
    }
    const mixed = mutateValues(compliantStack(), "mimir", MIMIR_JOIN, [
      "dns+mimir-gossip-ring.mimir.svc.cluster.local:7946",
      "dns+old-cluster-gossip.elsewhere.svc.cluster.local:7946",
    ]);
    assert.deepEqual((await runStackPolicy(ringsJoinMemberlistService, mixed)).violations, []);
    for (const entry of ["loki-memberlist", "dnssrv+_tcp._tcp.loki-memberlist.loki.svc.cluster.local"]) {
      const run = await runStackPolicy(
        ringsJoinMemberlistService,
        mutateValues(compliantStack(), "loki", LOKI_JOIN, [entry]),
      );
      assert.deepEqual(run.violations, [], entry);
    }
  });

  it("follows a changed bind_port and a renamed memberlist Service", async () => {
    const moved = mutateValues(
      mutateValues(compliantStack(), "mimir", "mimir.structuredConfig.memberlist.bind_port", 7947),
      "mimir",
      MIMIR_JOIN,
      ["dns+mimir-gossip-ring.mimir.svc.cluster.local:7947"],
    );
    assert.deepEqual((await runStackPolicy(ringsJoinMemberlistService, moved)).violations, []);
    const renamed = mutateValues(
      mutateValues(compliantStack(), "loki", "memberlist.service.name", "loki-gossip"),
      "loki",
      LOKI_JOIN,
      ["loki-gossip.loki.svc.cluster.local"],
    );
    assert.deepEqual((await runStackPolicy(ringsJoinMemberlistService, renamed)).violations, []);
  });
});
