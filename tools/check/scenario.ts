/** How a run is described: an update, the first preview of a new stack, or a preview of one that exists. */
export function scenarioOf(run: { preview: boolean; existingStack: boolean }): string {
  if (!run.preview) return "update";
  return run.existingStack ? "preview of an existing stack" : "first preview of a new stack";
}
