/** The per-stack report, in order. A new concern adds its section here (see section.ts). */
import { planningSection } from "./planning";
import { policiesSection } from "./policies";
import { resourcesSection } from "./resources";
import type { AnySection } from "./section";
import { settingsSection } from "./settings";

export const SECTIONS: AnySection[] = [resourcesSection, settingsSection, planningSection, policiesSection];

export type { AnySection, ReportSection, StackEvidence } from "./section";
