import { strict as assert } from "assert";
import { UnsupportedSchemaError, validateJsonSchema } from "../../../tools/harness/json-schema";
import { parsePolicyPackConfig, reconcilePolicyPackConfig } from "../../../tools/harness/policy-config";
import type { PolicyInfo } from "../../../tools/harness/policy-types";

function policy(
  name: string,
  enforcementLevel: PolicyInfo["enforcementLevel"],
  properties: PolicyInfo["configSchema"] = { properties: {} },
): PolicyInfo {
  return { name, description: name, enforcementLevel, type: "resource", configSchema: properties, tags: [] };
}

const POLICIES = [
  policy("retention", "mandatory", {
    properties: { days: { type: "integer", minimum: 1, default: 30 } },
    required: ["days"],
  }),
  policy("tags", "advisory", {
    properties: { required: { type: "array", items: { type: "string" }, uniqueItems: true } },
  }),
];

describe("parsePolicyPackConfig", () => {
  it("accepts a level or an object with a level and properties, and drops empty entries", () => {
    assert.deepEqual(
      parsePolicyPackConfig({ all: "advisory", retention: { enforcementLevel: "disabled", days: 7 }, tags: {} }),
      {
        all: { enforcementLevel: "advisory", properties: undefined },
        retention: { enforcementLevel: "disabled", properties: { days: 7 } },
      },
    );
  });

  it("rejects what the engine rejects, with its messages", () => {
    assert.throws(() => parsePolicyPackConfig({ retention: { enforcementLevel: 1 } }), {
      message: 'parsing enforcement level for "retention": 1 is not a valid enforcement level; must be a string',
    });
    assert.throws(() => parsePolicyPackConfig({ retention: 5 as never }), {
      message: 'parsing "retention": 5 is not a valid value; must be a string or object',
    });
  });
});

describe("reconcilePolicyPackConfig", () => {
  it("starts from each policy's level and schema defaults, then `all`, then per-policy entries", () => {
    const { config, errors } = reconcilePolicyPackConfig(
      POLICIES,
      {},
      parsePolicyPackConfig({ all: "advisory", tags: "mandatory" }),
    );
    assert.deepEqual(errors, []);
    assert.deepEqual(config.retention, { enforcementLevel: "advisory", properties: { days: 30 } });
    assert.equal(config.tags.enforcementLevel, "mandatory");
  });

  it("lets the pack's initial config sit between the defaults and the user's config", () => {
    const { config } = reconcilePolicyPackConfig(
      POLICIES,
      { retention: { enforcementLevel: "disabled", properties: { days: 90 } } },
      parsePolicyPackConfig({ retention: { days: 10 } }),
    );
    assert.deepEqual(config.retention, { enforcementLevel: "disabled", properties: { days: 10 } });
  });

  it("validates the merged result against every policy's schema", () => {
    const { errors } = reconcilePolicyPackConfig(
      POLICIES,
      {},
      parsePolicyPackConfig({ retention: { days: 0 }, tags: { required: ["a", "a"] } }),
    );
    assert.deepEqual(errors, [
      "retention: days: Must be greater than or equal to 1",
      "tags: required: array items[0,1] must be unique",
    ]);
  });
});

describe("validateJsonSchema (gojsonschema messages)", () => {
  const schema = {
    type: "object",
    properties: {
      mode: { enum: ["fast", "safe"] },
      name: { type: "string", pattern: "^[a-z]+$", maxLength: 5 },
      limits: {
        type: "object",
        properties: { max: { type: "number", exclusiveMaximum: 10 } },
        additionalProperties: false,
      },
    },
    required: ["mode"],
  };

  it("reports each failure with its field, and root failures without a field", () => {
    assert.deepEqual(validateJsonSchema(schema, { name: "Abcdef", limits: { max: 10, min: 1 } }).sort(), [
      "limits.max: Must be less than 10",
      "limits: Additional property min is not allowed",
      "mode is required",
      "name: Does not match pattern '^[a-z]+$'",
      "name: String length must be less than or equal to 5",
    ]);
    assert.deepEqual(validateJsonSchema(schema, { mode: "slow" }), [
      'mode: mode must be one of the following: "fast", "safe"',
    ]);
  });

  it("refuses a keyword it does not implement instead of accepting anything, every time it is asked", () => {
    for (let i = 0; i < 2; i++) {
      assert.throws(
        () => validateJsonSchema({ properties: { url: { type: "string", format: "uri" } } }, { url: "x" }),
        UnsupportedSchemaError,
      );
    }
  });

  it("validates against an equal schema given as another object (validators are reused by content)", () => {
    const copy = JSON.parse(JSON.stringify(schema)) as typeof schema;
    assert.deepEqual(validateJsonSchema(copy, { mode: "slow" }), validateJsonSchema(schema, { mode: "slow" }));
    assert.deepEqual(validateJsonSchema({ ...copy, required: ["name"] }, { mode: "fast" }), ["name is required"]);
  });
});
