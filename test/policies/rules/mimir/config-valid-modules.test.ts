import { strict as assert } from "assert";
import { mimirConfigValid } from "../../../../policies/rules/mimir/config-valid";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const sc = "mimir.structuredConfig";
const set = (path: string, value: unknown, records = compliantStack()) => mutateValues(records, "mimir", path, value);
const messages = async (records = compliantStack()) =>
  (await runStackPolicy(mimirConfigValid, records)).violations.map((v) => v.message);

describe("policy mimir-config-valid (M13): module-level checks", () => {
  it("passes the compliant fixture", async () => {
    assert.deepEqual(await messages(), []);
  });

  it("rejects ruler tenant federation without the global tenant federation", async () => {
    const found = await messages(set(`${sc}.ruler.tenant_federation.enabled`, true));
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /ruler\.tenant_federation\.enabled=true: Mimir refuses to start \("-ruler\.tenant-federation\.enabled=true requires -tenant-federation\.enabled=true"\); the ruler module fails to initialise and every ruler pod exits/,
    );
  });

  it("accepts ruler tenant federation with the global flag, the global flag alone, and a disabled ruler", async () => {
    const both = set(`${sc}.tenant_federation.enabled`, true, set(`${sc}.ruler.tenant_federation.enabled`, true));
    assert.deepEqual(await messages(both), []);
    assert.deepEqual(await messages(set(`${sc}.tenant_federation.enabled`, true)), []);
    assert.deepEqual(await messages(set(`${sc}.ruler.tenant_federation.enabled`, false)), []);
    assert.deepEqual(
      await messages(set("ruler.enabled", false, set(`${sc}.ruler.tenant_federation.enabled`, true))),
      [],
    );
  });

  // Rings (pkg/alertmanager/multitenant.go MultitenantAlertmanagerConfig.Validate, pkg/ingester/ingester_ring.go
  // RingConfig.Validate) against the zones the chart passes each StatefulSet.
  it("rejects alertmanager zone awareness in Mimir's config when the chart gives the pods no zone", async () => {
    const found = await messages(set(`${sc}.alertmanager.sharding_ring.zone_awareness_enabled`, true));
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /alertmanager\.sharding_ring\.zone_awareness_enabled=true: Mimir refuses to start \("error validating config: invalid alertmanager config: the configured alertmanager has zone awareness enabled but zone is not set"\); every alertmanager pod exits at start-up.*alertmanager\.zoneAwareReplication\.enabled: true/,
    );
  });

  it("accepts alertmanager zone awareness with the chart's zones, an explicit zone, or no alertmanager", async () => {
    const zoneAware = set(`${sc}.alertmanager.sharding_ring.zone_awareness_enabled`, true);
    assert.deepEqual(await messages(set("alertmanager.zoneAwareReplication.enabled", true, zoneAware)), []);
    assert.deepEqual(
      await messages(set(`${sc}.alertmanager.sharding_ring.instance_availability_zone`, "zone-a", zoneAware)),
      [],
    );
    assert.deepEqual(await messages(set("alertmanager.enabled", false, zoneAware)), []);
    assert.deepEqual(await messages(set(`${sc}.alertmanager.sharding_ring.zone_awareness_enabled`, false)), []);
  });

  it("rejects spread-minimizing ingester tokens while the chart's tokens file path stays", async () => {
    const spread = set(`${sc}.ingester.ring.token_generation_strategy`, "spread-minimizing");
    const found = await messages(
      set(`${sc}.ingester.ring.spread_minimizing_zones`, ["zone-a", "zone-b", "zone-c"], spread),
    );
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /chart-generated config ingester\.ring\.tokens_file_path=\/data\/tokens: Mimir refuses to start \(.*"spread-minimizing" token generation strategy is misconfigured: strategy requires "tokens-file-path" to be empty"\); every ingester pod exits.*tokens_file_path: ""/,
    );
  });

  it("rejects spread-minimizing zones that miss a zone the chart gives the ingesters, and no zones at all", async () => {
    const base = set(
      `${sc}.ingester.ring.tokens_file_path`,
      "",
      set(`${sc}.ingester.ring.token_generation_strategy`, "spread-minimizing"),
    );
    const missing = await messages(set(`${sc}.ingester.ring.spread_minimizing_zones`, "zone-a,zone-b", base));
    assert.equal(missing.length, 1);
    assert.match(missing[0], /zone zone-c is not valid/);
    const none = await messages(base);
    assert.equal(none.length, 1);
    assert.match(none[0], /number of zones 0 is not correct/);
  });

  it("accepts spread-minimizing tokens with an empty tokens path and the chart's zones, and the random strategy", async () => {
    const base = set(
      `${sc}.ingester.ring.tokens_file_path`,
      "",
      set(`${sc}.ingester.ring.token_generation_strategy`, "spread-minimizing"),
    );
    assert.deepEqual(
      await messages(set(`${sc}.ingester.ring.spread_minimizing_zones`, ["zone-a", "zone-b", "zone-c"], base)),
      [],
    );
    assert.deepEqual(await messages(set(`${sc}.ingester.ring.token_generation_strategy`, "random")), []);
  });

  it("rejects an unknown token generation strategy", async () => {
    const found = await messages(set(`${sc}.ingester.ring.token_generation_strategy`, "spread"));
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /unsupported token generation strategy \(\\"spread\\"\)|unsupported token generation strategy \("spread"\)/,
    );
  });

  // The alertmanager's fallback config (pkg/alertmanager/multitenant.go ComputeFallbackConfig -> amconfig.LoadFile).
  it("rejects a fallbackConfig with a Slack receiver and no Slack API URL anywhere", async () => {
    const config =
      'route:\n  receiver: slack-oncall\nreceivers:\n  - name: slack-oncall\n    slack_configs:\n      - channel: "#alerts"\n';
    const found = await messages(set("alertmanager.fallbackConfig", config));
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /alertmanager\.fallbackConfig=.*unable to load fallback config .*receiver \\?"slack-oncall\\?": no global Slack API URL set.*every alertmanager pod exits/,
    );
  });

  it("rejects a fallbackConfig whose route names an undefined receiver", async () => {
    const found = await messages(
      set("alertmanager.fallbackConfig", "route:\n  receiver: oncall\nreceivers:\n  - name: default\n"),
    );
    assert.equal(found.length, 1);
    assert.match(found[0], /undefined receiver \\?"oncall\\?" used in route/);
  });

  it("accepts the chart's fallbackConfig, a Slack receiver with api_url or a global URL, and a disabled alertmanager", async () => {
    assert.deepEqual(
      await messages(
        set(
          "alertmanager.fallbackConfig",
          "receivers:\n  - name: default-receiver\nroute:\n  receiver: default-receiver\n",
        ),
      ),
      [],
    );
    const slack = (extra: string) =>
      `${extra}route:\n  receiver: s\nreceivers:\n  - name: s\n    slack_configs:\n      - channel: "#a"\n`;
    assert.deepEqual(
      await messages(
        set("alertmanager.fallbackConfig", slack("global:\n  slack_api_url: https://hooks.slack.com/x\n")),
      ),
      [],
    );
    assert.deepEqual(
      await messages(
        set("alertmanager.fallbackConfig", slack("").replace('- channel: "#a"', "- api_url_file: /s/url")),
      ),
      [],
    );
    assert.deepEqual(
      await messages(set("alertmanager.enabled", false, set("alertmanager.fallbackConfig", slack("")))),
      [],
    );
  });

  // Relabel configs in the limits (Prometheus model/relabel via Mimir's runtime config loader).
  it("rejects a tenant's metric_relabel_configs regex that is a glob, not RE2", async () => {
    const rules = [{ source_labels: ["__name__"], regex: "*_bucket", action: "drop" }];
    const found = await messages(set("runtimeConfig.overrides.platform.metric_relabel_configs", rules));
    assert.equal(found.length, 1);
    assert.match(
      found[0],
      /runtimeConfig\.overrides\.platform\.metric_relabel_configs.*failed to load runtime config: load file: error parsing regexp: missing argument to repetition operator: `\*` \(tenant \\?"platform\\?"\).*every Mimir component loads the runtime config at start-up/,
    );
  });

  it("rejects a relabel config with an unknown action, a hashmod without modulus, and lookahead in the default limits", async () => {
    const found = await messages(
      set(`${sc}.limits.metric_relabel_configs`, [
        { source_labels: ["a"], action: "delete" },
        { source_labels: ["a"], target_label: "b", action: "hashmod" },
        { source_labels: ["a"], regex: "a(?=b)", action: "keep" },
      ]),
    );
    assert.equal(found.length, 3);
    assert.match(found[0], /error loading config: unknown relabel action \\?"delete\\?"/);
    assert.match(found[1], /requires non-zero modulus/);
    assert.match(found[2], /invalid or unsupported Perl syntax/);
  });

  it("accepts RE2 regexes JavaScript lacks and ordinary relabel configs", async () => {
    const rules = [
      { source_labels: ["__name__"], regex: ".*_bucket", action: "drop" },
      { source_labels: ["__name__"], regex: "(?i)GO_.*|(?P<x>up)", action: "drop" },
      { source_labels: ["job"], regex: "[[:alpha:]]+\\pL*", action: "keep" },
      { regex: "tmp_.*", action: "labeldrop" },
      { source_labels: ["a"], target_label: "b", action: "Replace" },
    ];
    assert.deepEqual(await messages(set("runtimeConfig.overrides.platform.metric_relabel_configs", rules)), []);
  });
});
