import type { Settings } from "../../settings";
import { podResources } from "../shared/pods";
import type { Values } from "../shared/values";
import { buildAlloyConfig, OTLP_PORTS } from "./config";

/**
 * Alloy's data directory (positions of tailed files, WAL) on the node, so a restarted pod resumes where it stopped
 * instead of re-reading every log file (loki.source.file docs: without a stored position it reads from the start).
 * The image runs as root unless told otherwise (grafana/alloy Dockerfile: the alloy user is "not set as default"),
 * which both this hostPath and the root-owned /var/log/pods need.
 */
export const ALLOY_DATA_DIR = "/var/lib/alloy";

export interface AlloyInputs {
  /** Secret in the alloy namespace whose keys are the env names in config.ts MIMIR_ENV. */
  mimirAuthSecretName: string;
  /** Secret in the alloy namespace whose keys are the env names in config.ts LOKI_ENV. */
  lokiAuthSecretName: string;
}

/** Values for the alloy chart 1.11 (paths from its values.yaml). Pure: settings and names in, values out. */
export function buildAlloyValues(settings: Settings, inputs: AlloyInputs): Values {
  const content = buildAlloyConfig(settings);
  const size = settings.alloy;
  // The chart passes configMap.content through `tpl` (templates/configmap.yaml): template braces would be evaluated.
  if (content.includes("{{"))
    throw new Error("the generated Alloy config contains '{{', which Helm's tpl would evaluate");
  return {
    controller: {
      type: "daemonset",
      volumes: { extra: [{ name: "alloy-data", hostPath: { path: ALLOY_DATA_DIR, type: "DirectoryOrCreate" } }] },
    },
    alloy: {
      configMap: { create: true, content },
      // Lets loki.source.kubernetes_events run in exactly one pod (config.ts); the chart adds the headless
      // <release>-cluster Service and --cluster.* flags (templates/cluster_service.yaml, containers/_agent.yaml).
      clustering: { enabled: true },
      storagePath: ALLOY_DATA_DIR,
      mounts: { varlog: true, extra: [{ name: "alloy-data", mountPath: ALLOY_DATA_DIR }] },
      envFrom: [
        { secretRef: { name: inputs.mimirAuthSecretName } },
        { secretRef: { name: inputs.lokiAuthSecretName } },
      ],
      // The Service exposes extraPorts too (templates/service.yaml), so applications send OTLP to the alloy Service.
      extraPorts: [
        { name: "otlp-grpc", port: OTLP_PORTS.grpc, targetPort: OTLP_PORTS.grpc, protocol: "TCP", appProtocol: "grpc" },
        { name: "otlp-http", port: OTLP_PORTS.http, targetPort: OTLP_PORTS.http, protocol: "TCP" },
      ],
      resources: podResources(size),
    },
    serviceMonitor: { enabled: true },
  };
}
