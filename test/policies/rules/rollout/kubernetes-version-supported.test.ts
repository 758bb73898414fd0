import { strict as assert } from "assert";
import { eksSupportPhase, EKS_VERSION_CALENDAR } from "../../../../policies/lib/eks-versions";
import { kubernetesVersionSupported } from "../../../../policies/rules/rollout/kubernetes-version-supported";
import { CLUSTER_AUTOSCALER_VERSIONS } from "../../../../components/cluster/autoscaler";
import { eks } from "../../../../settings/upstream";
import { PROFILES } from "../../../../settings/profiles";
import { compliantStack, mutate } from "../../support/fixture";
import { runStackPolicy, UNKNOWN } from "../../support/harness";

// The day every case is judged on: never the wall clock.
const TODAY = "2026-12-07";
const cluster = (version: unknown, supportType?: string) => {
  const withVersion = mutate(compliantStack(), "eks-cluster", ["version"], version);
  return supportType === undefined
    ? withVersion
    : mutate(withVersion, "eks-cluster", ["upgradePolicy"], { supportType });
};
const run = (records = compliantStack(), today = TODAY) =>
  runStackPolicy(kubernetesVersionSupported, records, { today });

describe("policy kubernetes-version-supported (U9)", () => {
  it("passes versions in standard support, a cluster without a version, and an unknown version", async () => {
    for (const records of [compliantStack(), cluster("1.35", "STANDARD"), cluster("1.35"), cluster(UNKNOWN)]) {
      const found = await run(records);
      assert.deepEqual([found.violations, found.advisories], [[], []]);
    }
  });

  it("rejects a version past the end of extended support, naming the date and the auto-upgrade drift", async () => {
    const { violations } = await run(cluster("1.30"));
    assert.equal(violations.length, 1);
    assert.match(
      violations[0].message,
      /version=1\.30 is past the end of EKS extended support \(2026-07-23; today 2026-12-07\): EKS no longer creates clusters at 1\.30, and an existing one is auto-upgraded: .*cannot downgrade to; the cluster-autoscaler .* no longer matches/,
    );
  });

  it("rejects a version past standard support with upgradePolicy STANDARD (EKS auto-upgrades it)", async () => {
    const { violations } = await run(cluster("1.34", "STANDARD"));
    assert.equal(violations.length, 1);
    assert.match(
      violations[0].message,
      /version=1\.34 is past the end of EKS standard support \(2026-12-02; today 2026-12-07\) and .*supportType=STANDARD: EKS auto-upgrades/,
    );
  });

  it("advises (does not refuse) extended support under EXTENDED, citing the price", async () => {
    const found = await run(cluster("1.33", "EXTENDED"));
    assert.deepEqual(found.violations, []);
    assert.equal(found.advisories.length, 1);
    assert.match(
      found.advisories[0].message,
      /version=1\.33 is in EKS extended support .* \$0\.60 instead of \$0\.10 per cluster-hour \(about \$365 more a month\)/,
    );
    // The EKS default support type is EXTENDED.
    assert.equal((await run(cluster("1.33"))).advisories.length, 1);
  });

  it("judges by the configured day: 1.34 under STANDARD passes the day before its end of standard support", async () => {
    const found = await run(cluster("1.34", "STANDARD"), "2026-12-01");
    assert.deepEqual([found.violations, found.advisories], [[], []]);
  });

  it("covers every version the program accepts and has an autoscaler for the calendar's versions", () => {
    assert.equal(eksSupportPhase("1.36", TODAY), undefined); // not yet dated by EKS: not judged
    for (let minor = eks.minKubernetesMinor; minor <= eks.maxKubernetesMinor; minor++) {
      assert.ok(CLUSTER_AUTOSCALER_VERSIONS[`1.${minor}`], `cluster-autoscaler for 1.${minor}`);
      // Every minor the config accepts is dated, but the newest, which EKS may not have dated yet (U9 skips it).
      if (minor < eks.maxKubernetesMinor)
        assert.ok(EKS_VERSION_CALENDAR[`1.${minor}`], `EKS calendar row for 1.${minor}`);
    }
    for (const [version, dates] of Object.entries(EKS_VERSION_CALENDAR)) {
      assert.ok(
        dates.release < dates.endOfStandardSupport && dates.endOfStandardSupport < dates.endOfExtendedSupport,
        version,
      );
    }
  });
});

// The one deliberate use of the wall clock: the shipped profiles ask EKS for a Kubernetes minor with upgradePolicy
// STANDARD, and EKS upgrades such a cluster itself when the minor leaves standard support (U9 then refuses every
// shipped stack, and the e2e tier with it). This test says so first, and says what to change.
describe("the shipped Kubernetes version", () => {
  it("is in EKS standard support today", () => {
    const today = new Date().toISOString().slice(0, 10);
    for (const [profile, config] of Object.entries(PROFILES)) {
      const version = config.cluster.kubernetesVersion;
      const dates = EKS_VERSION_CALENDAR[version];
      assert.ok(dates, `${profile}: ${version} has no row in policies/lib/eks-versions.ts`);
      assert.equal(
        eksSupportPhase(version, today),
        "standard",
        `${profile}: Kubernetes ${version} left EKS standard support on ${dates.endOfStandardSupport}: raise ` +
          `KUBERNETES_VERSION in settings/profiles.ts (and the cluster-autoscaler it pins)`,
      );
    }
  });
});
