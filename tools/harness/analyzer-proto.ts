/**
 * Conversions between the harness's types and the Analyzer protocol's messages, applying the engine's marshalling
 * rules on the way out (pkg/resource/plugin/analyzer_plugin.go): resource references downgraded, internal keys
 * skipped for Analyze/AnalyzeStack (not Remediate), empty property-dependency lists dropped, secrets and unknowns
 * kept as they are.
 */
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type {
  AnalyzerInfo,
  AnalyzerProviderInput,
  AnalyzerResourceInput,
  AnalyzerResourceOptionsInput,
  AnalyzerStackResourceInput,
  EnforcementLevel,
  JsonSchema,
  PolicyConfigEntry,
  PolicyDiagnostic,
  PolicyInfo,
  PolicyNotApplicable,
  PolicySeverity,
  RemediationResult,
} from "./policy-types";
import { downgradeResourceReferences, skipInternalKeys, type WireProperties } from "./wire";

const LEVEL_TO_PROTO: Record<EnforcementLevel, analyzerProto.EnforcementLevel> = {
  advisory: analyzerProto.EnforcementLevel.ADVISORY,
  mandatory: analyzerProto.EnforcementLevel.MANDATORY,
  remediate: analyzerProto.EnforcementLevel.REMEDIATE,
  disabled: analyzerProto.EnforcementLevel.DISABLED,
};

export function levelToProto(level: EnforcementLevel): analyzerProto.EnforcementLevel {
  return LEVEL_TO_PROTO[level];
}

export function levelFromProto(level: analyzerProto.EnforcementLevel): EnforcementLevel {
  const found = (Object.keys(LEVEL_TO_PROTO) as EnforcementLevel[]).find((key) => LEVEL_TO_PROTO[key] === level);
  if (!found) {
    // The engine rejects such a response too (convertEnforcementLevel: "invalid enforcement level").
    throw new Error(`invalid enforcement level ${level}`);
  }
  return found;
}

function severityFromProto(severity: analyzerProto.PolicySeverity): PolicySeverity | undefined {
  switch (severity) {
    case analyzerProto.PolicySeverity.POLICY_SEVERITY_LOW:
      return "low";
    case analyzerProto.PolicySeverity.POLICY_SEVERITY_MEDIUM:
      return "medium";
    case analyzerProto.PolicySeverity.POLICY_SEVERITY_HIGH:
      return "high";
    case analyzerProto.PolicySeverity.POLICY_SEVERITY_CRITICAL:
      return "critical";
    default:
      return undefined;
  }
}

export function toStruct(props: WireProperties | Record<string, unknown>): Struct {
  return Struct.fromJavaScript(props as Parameters<typeof Struct.fromJavaScript>[0]);
}

/** Analyze and AnalyzeStack skip internal keys; Remediate must see (and may return) them. */
function marshal(props: WireProperties, skipInternal: boolean): Struct {
  const downgraded = downgradeResourceReferences(props);
  return toStruct(skipInternal ? skipInternalKeys(downgraded) : downgraded);
}

function optionsMessage(options: AnalyzerResourceOptionsInput = {}): analyzerProto.AnalyzerResourceOptions {
  const message = new analyzerProto.AnalyzerResourceOptions();
  message.setProtect(options.protect ?? false);
  message.setIgnorechangesList(options.ignoreChanges ?? []);
  message.setDeletebeforereplace(options.deleteBeforeReplace ?? false);
  message.setDeletebeforereplacedefined(options.deleteBeforeReplace !== undefined);
  message.setAdditionalsecretoutputsList(options.additionalSecretOutputs ?? []);
  message.setAliasesList(options.aliases ?? []);
  // The engine always sends the timeouts message, zeros included (marshalResourceOptions).
  const timeouts = new analyzerProto.AnalyzerResourceOptions.CustomTimeouts();
  timeouts.setCreate(options.customTimeouts?.create ?? 0);
  timeouts.setUpdate(options.customTimeouts?.update ?? 0);
  timeouts.setDelete(options.customTimeouts?.delete ?? 0);
  timeouts.setRead(options.customTimeouts?.read ?? 0);
  message.setCustomtimeouts(timeouts);
  message.setParent(options.parent ?? "");
  return message;
}

function providerMessage(provider: AnalyzerProviderInput): analyzerProto.AnalyzerProviderResource {
  const message = new analyzerProto.AnalyzerProviderResource();
  message.setUrn(provider.urn);
  message.setType(provider.type);
  message.setName(provider.name);
  message.setProperties(marshal(provider.properties, true));
  return message;
}

export function analyzeRequest(resource: AnalyzerResourceInput, forRemediate: boolean): analyzerProto.AnalyzeRequest {
  const request = new analyzerProto.AnalyzeRequest();
  request.setUrn(resource.urn);
  request.setType(resource.type);
  request.setName(resource.name);
  request.setProperties(marshal(resource.properties, !forRemediate));
  request.setOptions(optionsMessage(resource.options));
  if (resource.provider) {
    request.setProvider(providerMessage(resource.provider));
  }
  return request;
}

export function stackResourceMessage(resource: AnalyzerStackResourceInput): analyzerProto.AnalyzerResource {
  const message = new analyzerProto.AnalyzerResource();
  message.setUrn(resource.urn);
  message.setType(resource.type);
  message.setName(resource.name);
  message.setProperties(marshal(resource.properties, true));
  message.setOptions(optionsMessage(resource.options));
  if (resource.provider) {
    message.setProvider(providerMessage(resource.provider));
  }
  message.setParent(resource.parent ?? "");
  message.setDependenciesList(resource.dependencies ?? []);
  const propertyDependencies = message.getPropertydependenciesMap();
  for (const [key, urns] of Object.entries(resource.propertyDependencies ?? {})) {
    // The engine skips properties without dependencies (analyzer_plugin.go, AnalyzeStack).
    if (urns.length > 0) {
      const deps = new analyzerProto.AnalyzerPropertyDependencies();
      deps.setUrnsList(urns);
      propertyDependencies.set(key, deps);
    }
  }
  return message;
}

export function configureRequest(config: Record<string, PolicyConfigEntry>): analyzerProto.ConfigureAnalyzerRequest {
  const request = new analyzerProto.ConfigureAnalyzerRequest();
  const map = request.getPolicyconfigMap();
  for (const [name, entry] of Object.entries(config)) {
    const message = new analyzerProto.PolicyConfig();
    // An unset level goes out as the zero value, advisory, exactly as the engine's marshalling does.
    message.setEnforcementlevel(levelToProto(entry.enforcementLevel ?? "advisory"));
    // Always a Struct: @pulumi/policy calls getProperties().toJavaScript() unconditionally.
    message.setProperties(toStruct(entry.properties ?? {}));
    map.set(name, message);
  }
  return request;
}

function policyType(type: analyzerProto.PolicyType): PolicyInfo["type"] {
  switch (type) {
    case analyzerProto.PolicyType.POLICY_TYPE_RESOURCE:
      return "resource";
    case analyzerProto.PolicyType.POLICY_TYPE_STACK:
      return "stack";
    default:
      return "unknown";
  }
}

export function analyzerInfoFromProto(info: analyzerProto.AnalyzerInfo): AnalyzerInfo {
  const supportsConfig = info.getSupportsconfig();
  const policies: PolicyInfo[] = info.getPoliciesList().map((policy) => {
    let configSchema: PolicyInfo["configSchema"];
    if (supportsConfig) {
      const schema = policy.getConfigschema();
      const properties = (schema?.getProperties()?.toJavaScript() ?? {}) as Record<string, JsonSchema>;
      // The engine injects enforcementLevel into every schema of a pack that supports config.
      properties.enforcementLevel = { type: "string", enum: ["advisory", "mandatory", "remediate", "disabled"] };
      const required = schema?.getRequiredList() ?? [];
      configSchema = required.length > 0 ? { properties, required } : { properties };
    }
    return {
      name: policy.getName(),
      displayName: policy.getDisplayname() || undefined,
      description: policy.getDescription(),
      enforcementLevel: levelFromProto(policy.getEnforcementlevel()),
      type: policyType(policy.getPolicyType()),
      severity: severityFromProto(policy.getSeverity()),
      configSchema,
      tags: policy.getTagsList(),
      url: policy.getUrl() || undefined,
    };
  });
  policies.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const initialConfig: Record<string, PolicyConfigEntry> = {};
  info.getInitialconfigMap().forEach((entry, name) => {
    const properties = entry.getProperties()?.toJavaScript();
    initialConfig[name] = {
      enforcementLevel: levelFromProto(entry.getEnforcementlevel()),
      properties: properties && Object.keys(properties).length > 0 ? properties : undefined,
    };
  });
  return {
    name: info.getName(),
    displayName: info.getDisplayname() || undefined,
    version: info.getVersion(),
    description: info.getDescription() || undefined,
    supportsConfig,
    policies,
    initialConfig,
  };
}

export function diagnosticFromProto(
  diagnostic: analyzerProto.AnalyzeDiagnostic,
  policySeverity: (policyName: string) => PolicySeverity | undefined,
): PolicyDiagnostic {
  return {
    policyName: diagnostic.getPolicyname(),
    policyPackName: diagnostic.getPolicypackname(),
    policyPackVersion: diagnostic.getPolicypackversion(),
    enforcementLevel: levelFromProto(diagnostic.getEnforcementlevel()),
    message: diagnostic.getMessage(),
    description: diagnostic.getDescription(),
    urn: diagnostic.getUrn(),
    // Unspecified in the diagnostic: the engine falls back to the policy's declared severity.
    severity: severityFromProto(diagnostic.getSeverity()) ?? policySeverity(diagnostic.getPolicyname()),
  };
}

export function notApplicableFromProto(list: analyzerProto.PolicyNotApplicable[]): PolicyNotApplicable[] {
  return list.map((entry) => ({ policyName: entry.getPolicyName(), reason: entry.getReason() }));
}

export function remediationFromProto(remediation: analyzerProto.Remediation): RemediationResult {
  const properties = remediation.getProperties()?.toJavaScript() as WireProperties | undefined;
  return {
    policyName: remediation.getPolicyname(),
    policyPackName: remediation.getPolicypackname(),
    policyPackVersion: remediation.getPolicypackversion(),
    description: remediation.getDescription(),
    properties,
    diagnostic: remediation.getDiagnostic() || undefined,
  };
}
