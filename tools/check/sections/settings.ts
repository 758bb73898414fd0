/** The derived-settings section: cross-component values and sizing, as the resources carry them. */
import { table } from "../text";
import { derivedSettings, type DerivedSettings } from "./derived-settings";
import { section } from "./section";
import type { SettingRow } from "./setting-row";
import { ReportView } from "./report-view";
import { nodeGroupRows, workloadRows, type NodeGroupRow, type WorkloadRow } from "./workloads";

export interface SettingsData extends DerivedSettings {
  workloads: WorkloadRow[];
  nodeGroups: NodeGroupRow[];
}

function settingsTable(title: string, rows: SettingRow[]): string {
  return `${title}\n${table(
    ["setting", "value", "read from"],
    rows.map((r) => [r.setting, r.shown, r.source]),
  )}`;
}

export function renderSettings(data: SettingsData): string {
  const parts = [
    settingsTable("Retention chain", data.retention),
    settingsTable("Replication", data.replication),
    settingsTable("Kafka sizes (Mimir writes records up to the producer max record size)", data.kafkaSizes),
    settingsTable("Partitions", data.partitions),
    `Sizing (replicas, CPU request, memory request / limit, volumes)\n${table(
      ["release", "workload", "replicas", "cpu", "memory", "storage"],
      data.workloads.map((w) => [w.owner, w.workload, w.replicas, w.cpuRequest, w.memory, w.storage]),
    )}`,
  ];
  if (data.nodeGroups.length > 0) {
    parts.push(
      `EKS node groups\n${table(
        ["node group", "instance types", "min / desired / max", "disk GiB"],
        data.nodeGroups.map((n) => [n.name, n.instanceTypes, n.scaling, n.diskGiB]),
      )}`,
    );
  }
  return parts.join("\n\n");
}

export const settingsSection = section<SettingsData>({
  key: "settings",
  title: "Derived settings (read from the resources, after overrides)",
  build: (evidence) => {
    const report = ReportView.of(evidence.captured);
    return { ...derivedSettings(report), workloads: workloadRows(report), nodeGroups: nodeGroupRows(report) };
  },
  render: renderSettings,
});
