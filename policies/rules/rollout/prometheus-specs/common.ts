// Shared by the U7 checks (prometheus-specs-valid.ts): the consequences they name, the CRD's formats, small readers.
import { isPlainObject } from "../../../lib/plain";

export const PROM_STOPS =
  "prometheus-operator stops reconciling the Prometheus resource there (pkg/prometheus/server/operator.go sync): a new " +
  "Prometheus never gets its StatefulSet, so nothing is scraped, remote-written or alerted on, and a running one keeps its " +
  "old configuration and takes no later change";
export const PROM_REFUSES_CONFIG =
  "Prometheus refuses that configuration file (prometheus/common config/http_config.go HTTPClientConfig.Validate): new " +
  "Prometheus pods exit at start-up and running ones reject every reload";
export const AM_STOPS =
  "prometheus-operator stops reconciling the Alertmanager resource there (pkg/alertmanager/operator.go sync): a new " +
  "Alertmanager never gets its pods, so no alert is routed or sent, and a running one keeps its old configuration";
export const API_REFUSES =
  "the API server refuses the Prometheus object (CRD monitoring.coreos.com/v1 validation), so the kube-prometheus-stack " +
  "release fails and no later value change reaches Prometheus";

/** pkg/apis/monitoring/v1/types.go: Duration, ByteSize and URL kubebuilder patterns. */
export const DURATION = /^(0|(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?)$/;
export const BYTE_SIZE = /(^0|([0-9]*[.])?[0-9]+((K|M|G|T|E|P)i?)?B)$/;
export const URL_PATTERN = /^(http|https):\/\/.+$/;

export type Obj = Record<string, unknown>;
export type Report = (message: string) => void;

export const obj = (value: unknown): Obj | undefined => (isPlainObject(value) ? value : undefined);
/** Go's non-nil pointer: the field is present in the rendered YAML with a value (null renders as absent). */
export const set = (o: Obj, key: string): boolean => o[key] !== undefined && o[key] !== null;
export const text = (value: unknown): string => (typeof value === "string" ? value : "");
export const q = (value: unknown): string => JSON.stringify(value);
