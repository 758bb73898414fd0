// The EKS Kubernetes version lifecycle: when each minor leaves standard and extended support, for policy U9
// (kubernetes-version-supported). The program's config bounds (settings/upstream.ts eks) are date-independent; a test
// (test/policies/rules/rollout/kubernetes-version-supported.test.ts) keeps a row here for every minor they accept but
// the newest, which EKS may not have dated yet.

export interface EksVersionDates {
  /** Amazon EKS release (UTC dates, ISO). */
  release: string;
  /** End of standard support: billing for extended support starts at the beginning of this day (UTC). */
  endOfStandardSupport: string;
  /** End of extended support: EKS no longer creates clusters at the version and auto-upgrades existing control planes. */
  endOfExtendedSupport: string;
}

/**
 * EKS user guide, "Understand the Kubernetes version lifecycle on EKS", release calendar (awsdocs/amazon-eks-user-guide
 * latest/ug/versioning/kubernetes-versions.adoc, 1.29-1.34); 1.35 from the same calendar as listed by endoflife.date
 * (amazon-eks: EKS release 2026-01-28, end of standard support 2027-03-27, end of extended support 2028-03-27). Each
 * minor: 14 months of standard support, then 12 of extended. Add a row when EKS announces a minor's dates.
 */
export const EKS_VERSION_CALENDAR: Readonly<Record<string, EksVersionDates>> = {
  "1.29": { release: "2024-01-23", endOfStandardSupport: "2025-03-23", endOfExtendedSupport: "2026-03-23" },
  "1.30": { release: "2024-05-23", endOfStandardSupport: "2025-07-23", endOfExtendedSupport: "2026-07-23" },
  "1.31": { release: "2024-09-26", endOfStandardSupport: "2025-11-26", endOfExtendedSupport: "2026-11-26" },
  "1.32": { release: "2025-01-23", endOfStandardSupport: "2026-03-23", endOfExtendedSupport: "2027-03-23" },
  "1.33": { release: "2025-05-29", endOfStandardSupport: "2026-07-29", endOfExtendedSupport: "2027-07-29" },
  "1.34": { release: "2025-10-02", endOfStandardSupport: "2026-12-02", endOfExtendedSupport: "2027-12-02" },
  "1.35": { release: "2026-01-28", endOfStandardSupport: "2027-03-27", endOfExtendedSupport: "2028-03-27" },
};

/**
 * EKS control-plane price per cluster-hour: $0.10 in standard support, $0.60 in extended support (AWS containers blog,
 * "Amazon EKS extended support for Kubernetes versions pricing", effective April 2024; EKS pricing page).
 */
export const EKS_CLUSTER_HOUR_USD = { standard: 0.1, extended: 0.6 } as const;

/** Hours in an average month (365.25 x 24 / 12), for monthly figures. */
export const HOURS_PER_MONTH = 730.5;

export type EksSupportPhase = "standard" | "extended" | "ended";

/** Where `version` stands on `today` (an ISO date, UTC); undefined when the calendar does not list it. */
export function eksSupportPhase(version: string, today: string): EksSupportPhase | undefined {
  const dates = EKS_VERSION_CALENDAR[version];
  if (!dates) return undefined;
  if (today >= dates.endOfExtendedSupport) return "ended";
  if (today >= dates.endOfStandardSupport) return "extended";
  return "standard";
}
