export * from "./activities.ts";
export * from "./athletes.ts";
export * from "./connections.ts";
export * from "./outbound.ts";
export * from "./outbox.ts";
export * from "./planned-runs.ts";
export * from "./plans.ts";
export * from "./webhooks.ts";
