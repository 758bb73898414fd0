import { strict as assert } from "assert";
import { goDuration, parseDuration, promDuration } from "../../settings/durations";

describe("settings/durations", () => {
  it("parses the units config accepts", () => {
    assert.equal(parseDuration("15d"), 15 * 86_400_000);
    assert.equal(parseDuration("24h"), 86_400_000);
    assert.equal(parseDuration("1h30m"), 5_400_000);
    assert.equal(parseDuration("2w"), 14 * 86_400_000);
  });

  it("rejects unit-less numbers, years and negative values", () => {
    for (const bad of ["10", "1y", "-5d", "15 d", "", "d"])
      assert.throws(() => parseDuration(bad), /is not a duration/);
  });

  it("formats Go durations without a day unit (Mimir tsdb settings) and Prometheus durations with days", () => {
    assert.equal(goDuration(parseDuration("13h")), "13h");
    assert.equal(goDuration(parseDuration("2d")), "48h");
    assert.equal(goDuration(parseDuration("50m")), "50m");
    assert.equal(promDuration(parseDuration("90d")), "90d");
    assert.equal(promDuration(parseDuration("36h")), "36h");
  });
});
