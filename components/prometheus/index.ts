export * from "./credentials";
export * from "./crds";
export * from "./stack";
export * from "./values";
