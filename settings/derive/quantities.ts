/** Kubernetes resource quantities from plain numbers (Kubernetes "Resource units" docs: m for CPU, Mi/Gi binary). */
export const cpu = (millis: number): string => `${millis}m`;
export const mebibytes = (mib: number): string => `${mib}Mi`;
export const gibibytes = (gib: number): string => `${gib}Gi`;

/** Rounds up to a multiple, so sizes read as round figures (e.g. 1536Mi, not 1517Mi). */
export const roundUpTo = (value: number, step: number): number => Math.ceil(value / step) * step;
