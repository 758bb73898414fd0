// U7: authentication and proxy checks prometheus-operator applies to remote-write, remote-read and alerting endpoints.
import { PropNode } from "../../../lib/node";
import { RuleContext } from "../../../lib/policy";
import { containsUnknownSentinel } from "../../../lib/unknown";
import { Obj, PROM_REFUSES_CONFIG, PROM_STOPS, Report, obj, set, text } from "./common";

/** google/uuid Parse forms: 36-char, urn:uuid: prefixed, braced, or 32 hex digits. */
function isUuid(value: unknown): boolean {
  if (typeof value !== "string") return false;
  const h = "[0-9a-fA-F]";
  const dashed = `${h}{8}-${h}{4}-${h}{4}-${h}{4}-${h}{12}`;
  return new RegExp(`^(${dashed}|urn:uuid:${dashed}|\\{${dashed}\\}|${h}{32})$`).test(value);
}

/** ProxyConfig.Validate (pkg/apis/monitoring/v1/types.go), in its order. */
function proxyError(o: Obj): string | undefined {
  const fromEnv = o.proxyFromEnvironment === true;
  const url = text(o.proxyUrl) !== "";
  const noProxy = text(o.noProxy) !== "";
  const connectHeader = obj(o.proxyConnectHeader);
  if (connectHeader && Object.keys(connectHeader).length > 0 && !fromEnv && !url)
    return "if proxyConnectHeader is configured, proxyUrl or proxyFromEnvironment must also be configured";
  if (fromEnv && url) return "if proxyFromEnvironment is configured, proxyUrl must not be configured";
  if (fromEnv && noProxy) return "if proxyFromEnvironment is configured, noProxy must not be configured";
  if (!url && noProxy) return "if noProxy is configured, proxyUrl must also be configured";
  return undefined;
}

/** Authorization.Validate, run only when credentials are set (pkg/assets/store.go AddAuthorizationCredentials). */
function authorizationError(o: Obj): string | undefined {
  const auth = obj(o.authorization);
  if (!auth || !set(auth, "credentials")) return undefined;
  if (text(auth.credentialsFile) !== "")
    return 'authorization can not specify both "credentials" and "credentialsFile"';
  if (text(auth.type).trim().toLowerCase() === "basic")
    return 'authorization type cannot be set to "basic", use "basicAuth" instead';
  return undefined;
}

/** pkg/assets/store.go AddSigV4. */
function sigv4Error(o: Obj): string | undefined {
  const sigv4 = obj(o.sigv4);
  if (sigv4 && set(sigv4, "accessKey") !== set(sigv4, "secretKey"))
    return "both accessKey and secretKey should be provided";
  return undefined;
}

/** The deprecated bearer fields next to another method: both reach the config file (HTTPClientConfig.Validate). */
function bearerError(o: Obj): string | undefined {
  const token = text(o.bearerToken) !== "";
  const file = text(o.bearerTokenFile) !== "";
  if (!token && !file) return undefined;
  if (token && file) return "at most one of bearer_token & bearer_token_file must be configured";
  if (set(o, "basicAuth") || set(o, "oauth2"))
    return "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured";
  if (set(o, "authorization")) return "authorization is not compatible with bearer_token & bearer_token_file";
  return undefined;
}

/** validateRemoteWriteSpec's Azure AD checks (pkg/prometheus/operator.go), in its order. */
function azureError(azure: Obj): string | undefined {
  const kinds: Array<[string, string]> = [
    ["managedIdentity", "Azure Managed Identity"],
    ["oauth", "Azure OAuth"],
    ["sdk", "Azure SDK"],
    ["workloadIdentity", "Azure Workload Identity"],
  ];
  const present = kinds.filter(([key]) => set(azure, key));
  if (present.length === 0)
    return "must provide Azure Managed Identity, Azure OAuth, Azure SDK, or Azure Workload Identity in the Azure AD config";
  // The pairs in the order the function tests them.
  const pairs: Array<[number, number]> = [
    [0, 1],
    [1, 2],
    [0, 2],
    [0, 3],
    [1, 3],
    [2, 3],
  ];
  for (const [a, b] of pairs)
    if (set(azure, kinds[a][0]) && set(azure, kinds[b][0]))
      return `cannot provide both ${kinds[a][1]} and ${kinds[b][1]} in the Azure AD config`;
  const oauth = obj(azure.oauth);
  if (oauth && !isUuid(oauth.clientId)) return "the provided Azure OAuth clientId is invalid";
  const wi = obj(azure.workloadIdentity);
  if (wi && !isUuid(wi.clientId)) return "the provided Azure Workload Identity clientId is invalid";
  if (wi && !isUuid(wi.tenantId)) return "the provided Azure Workload Identity tenantId is invalid";
  return undefined;
}

export interface Entry {
  where: string;
  spec: Obj;
}

/** The chart renders `<list>` then `additional<List>` into one spec list (templates/prometheus/prometheus.yaml). */
export function combined(spec: PropNode, key: string, additional: string): Entry[] | PropNode {
  const entries: Entry[] = [];
  for (const name of [key, additional]) {
    const node = spec.get(name);
    const raw = node.raw();
    if (containsUnknownSentinel(raw) || node.isUnknown) return node;
    if (!Array.isArray(raw)) continue;
    raw.forEach((item, i) => {
      const o = obj(item);
      if (o) entries.push({ where: `${node.where}[${i}]`, spec: o });
    });
  }
  return entries;
}

export function checkRemoteWrite(entries: Entry[], report: Report): void {
  entries.forEach(({ where, spec }, index) => {
    const fix =
      "Fix: keep exactly one authentication method on each remote-write entry (the stack's own Mimir entry uses basicAuth).";
    const methods = ["basicAuth", "oauth2", "authorization", "sigv4", "azureAd"].filter((key) => set(spec, key));
    if (methods.length > 1) {
      // The operator lists the fields in Go map order, so their order in the message varies.
      report(
        `${where} sets ${methods.join(" and ")} together: prometheus-operator refuses it with 'remoteWrite[${index}]: ${methods
          .map((m) => `"${m}"`)
          .join(
            " and ",
          )} can't be set at the same time, at most one of them must be defined' (pkg/prometheus/operator.go ` +
          `validateRemoteWriteSpec; the field order varies), and ${PROM_STOPS}. ${fix}`,
      );
      return;
    }
    const azure = obj(spec.azureAd);
    const checks: Array<[string | undefined, string]> = [
      [azure ? azureError(azure) : undefined, "validateRemoteWriteSpec"],
      [proxyError(spec), "ProxyConfig.Validate"],
      [authorizationError(spec), "Authorization.Validate"],
      [sigv4Error(spec), "assets StoreBuilder.AddSigV4"],
    ];
    const found = checks.find(([error]) => error !== undefined);
    if (found) {
      report(
        `${where}: prometheus-operator refuses this remote-write entry with 'creating config failed: remoteWrite[${index}]: ${found[0]}' ` +
          `(${found[1]}), and ${PROM_STOPS}. Fix: correct the entry as the message says.`,
      );
      return;
    }
    const bearer = bearerError(spec);
    if (bearer)
      report(
        `${where} sets the deprecated bearerToken/bearerTokenFile next to another authentication method: the operator writes both into ` +
          `remote_write (promcfg.go GenerateRemoteWriteConfig) and ${PROM_REFUSES_CONFIG} ('${bearer}'). ${fix}`,
      );
  });
}

export function checkRemoteRead(entries: Entry[], report: Report): void {
  entries.forEach(({ where, spec }, index) => {
    const error = authorizationError(spec) ?? proxyError(spec);
    if (error) {
      report(
        `${where}: prometheus-operator refuses this remote-read entry with 'creating config failed: remoteRead[${index}]: ${error}' ` +
          `(pkg/prometheus/store.go AddRemoteReadsToStore), and ${PROM_STOPS}. Fix: correct the entry as the message says.`,
      );
      return;
    }
    // The operator does not check exclusivity for remote read and writes every method (promcfg.go generateRemoteReadConfig).
    const methods = ["basicAuth", "oauth2", "authorization"].filter((key) => set(spec, key));
    const common =
      methods.length > 1
        ? "at most one of basic_auth, oauth2 & authorization must be configured"
        : (bearerError(spec) ?? undefined);
    if (common)
      report(
        `${where} sets ${methods.length > 1 ? methods.join(" and ") : "the deprecated bearerToken/bearerTokenFile next to another method"}: ` +
          `the operator writes all of them into remote_read and ${PROM_REFUSES_CONFIG} ('${common}'). Fix: keep one authentication method.`,
      );
  });
}

export function checkAlertingEndpoints(spec: PropNode, report: Report, ctx: RuleContext<object>): void {
  const node = spec.get("alertingEndpoints");
  const raw = node.raw();
  if (containsUnknownSentinel(raw) || node.isUnknown) return ctx.inconclusive(node.unknown());
  if (!Array.isArray(raw)) return;
  raw.forEach((item, i) => {
    const am = obj(item);
    if (!am) return;
    const where = `${node.where}[${i}]`;
    const methods = [
      ...(text(am.bearerTokenFile) !== "" ? ["bearerTokenFile"] : []),
      ...["basicAuth", "authorization", "sigv4"].filter((key) => set(am, key)),
    ];
    let error: string | undefined;
    if (methods.length > 1)
      error = `${methods.map((m) => `"${m}"`).join(" and ")} can't be set at the same time, at most one of them must be defined`;
    else {
      const auth = obj(am.authorization);
      if (auth && set(auth, "credentials") && text(auth.type).trim().toLowerCase() === "basic")
        error = `'authorization' type cannot be set to "basic", use "basicAuth" instead`;
      else error = sigv4Error(am);
    }
    if (error)
      report(
        `${where}: prometheus-operator refuses it with 'creating config failed: alertmanager ${i}: ${error}' (pkg/prometheus/server/` +
          `operator.go validateAlertmanagerEndpoints / addAlertmanagerEndpointsToStore), and ${PROM_STOPS}. Fix: keep one ` +
          `authentication method on the endpoint and correct it as the message says.`,
      );
  });
}
