export * from "../shared/basic-auth-secret";
export * from "./crds";
export * from "./stack";
export * from "./values";
