import * as assert from "node:assert/strict";
import { chartFullname, gatewayUrl } from "../../settings/names";
import { deriveSettings, resolveConfig } from "../../settings";

describe("chart resource names", () => {
  it("uses the release name when it contains the chart's name, else <release>-<chart>, as Helm's fullname helper does", () => {
    assert.equal(chartFullname("mimir", "mimir"), "mimir");
    assert.equal(chartFullname("prod-mimir", "mimir"), "prod-mimir");
    assert.equal(chartFullname("metrics", "mimir"), "metrics-mimir");
    assert.equal(chartFullname("logs", "loki"), "logs-loki");
  });

  it("points the settings' Mimir and Loki URLs at each chart's <fullname>-gateway Service", () => {
    assert.equal(gatewayUrl("metrics", "mimir", "obs"), "http://metrics-mimir-gateway.obs.svc");
    const settings = deriveSettings(resolveConfig("observability-stack", { profile: "prod" }));
    assert.equal(settings.mimir.pushUrl, "http://mimir-gateway.mimir.svc/api/v1/push");
    assert.equal(settings.loki.pushUrl, "http://loki-gateway.loki.svc/loki/api/v1/push");
  });
});
