import { strict as assert } from "assert";
import { lokiConfigValid, selectorProblem } from "../../../../policies/rules/loki/config-valid";
import { compliantStack, mutateValues } from "../../support/fixture";
import { runStackPolicy } from "../../support/harness";

const withValue = (path: string, value: unknown, records = compliantStack()) =>
  mutateValues(records, "loki", path, value);
const violations = async (records = compliantStack()) =>
  (await runStackPolicy(lokiConfigValid, records)).violations.map((v) => v.message);

describe("policy loki-config-valid (L10): ruler remote write and stream selectors", () => {
  it("passes the fixture", async () => {
    assert.deepEqual(await violations(), []);
  });

  it("refuses ruler remote write enabled without a client URL", async () => {
    const found = await violations(withValue("loki.structuredConfig.ruler.remote_write.enabled", true));
    assert.equal(found.length, 1, found.join("\n"));
    assert.match(
      found[0],
      /ruler\.remote_write\.enabled=true: Loki refuses to start \("CONFIG ERROR: invalid ruler config: invalid ruler remote-write config: remote-write enabled but no clients URL are configured"\)/,
    );
    const noUrl = withValue("loki.rulerConfig.remote_write", { enabled: true, clients: { mimir: { name: "m" } } });
    assert.match((await violations(noUrl))[0], /client 'm' URL for tenant mimir is not configured/);
  });

  it("accepts ruler remote write with a client URL, and a disabled ruler's rulerConfig", async () => {
    const ok = withValue("loki.structuredConfig.ruler.remote_write", {
      enabled: true,
      clients: { mimir: { url: "http://mimir-nginx/api/v1/push" } },
    });
    assert.deepEqual(await violations(ok), []);
    const off = withValue("ruler.enabled", false, withValue("loki.rulerConfig.remote_write.enabled", true));
    assert.deepEqual(await violations(off), []);
  });

  it("refuses a retention_stream selector without braces, in the defaults and in a tenant", async () => {
    const found = await violations(
      withValue("loki.limits_config.retention_stream", [
        { selector: 'namespace="audit"', priority: 1, period: "168h" },
      ]),
    );
    assert.equal(found.length, 1, found.join("\n"));
    assert.match(
      found[0],
      /retention_stream\[0\]\.selector=namespace="audit": Loki refuses to start \("CONFIG ERROR: invalid limits_config config: invalid labels matchers: parse error: a stream selector must be enclosed in braces/,
    );
    const tenant = await violations(
      withValue("loki.runtimeConfig.overrides.team-a.retention_stream", [
        { selector: "{}", priority: 1, period: "48h" },
      ]),
    );
    assert.match(
      tenant[0],
      /invalid override for tenant team-a: invalid labels matchers: parse error: no label matcher/,
    );
  });

  it("refuses a policy_stream_mapping selector that cannot parse", async () => {
    const found = await violations(
      withValue("loki.limits_config.policy_stream_mapping", {
        audit: [{ selector: '{namespace="audit}', priority: 1 }],
      }),
    );
    assert.match(
      found[0],
      /invalid labels matchers for policy stream mapping: parse error: unterminated quoted string/,
    );
  });

  it("accepts valid selectors", async () => {
    const ok = withValue("loki.limits_config.retention_stream", [
      { selector: '{namespace="dev"}', priority: 1, period: "168h" },
      { selector: '{container=~"nginx|envoy", app!="x"}', priority: 2, period: "744h" },
    ]);
    assert.deepEqual(await violations(ok), []);
  });

  it("judges selectors conservatively", () => {
    for (const bad of ['namespace="a"', '{a="b"', '{a="b}', "{}", '{a="b"} |= "x"', '{a=""}', '{a!="b"}', '{a=~".*"}'])
      assert.ok(selectorProblem(bad), bad);
    for (const ok of [
      '{a="b"}',
      ' { a = "b" } ',
      '{a=~".+"}',
      '{a!~"x", b="c"}',
      '{a!~"x"}',
      "{a=`b`}",
      '{a="b,c}"}',
      '{a="b\\"c"}',
      '{a=~"(x|y)?"}',
    ])
      assert.equal(selectorProblem(ok), undefined, ok);
  });
});
