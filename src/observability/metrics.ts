import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";

/**
 * One registry per process (and per test app), never prom-client's global one,
 * so several apps in one test process do not collide.
 */
export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<"method" | "route" | "status">;
  jobOutcomes: Counter<"queue" | "name" | "outcome">;
  jobDuration: Histogram<"queue" | "name">;
  queueDepth: Gauge<"queue" | "state">;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: "runstrong_" });
  return {
    registry,
    httpDuration: new Histogram({
      name: "runstrong_http_request_duration_seconds",
      help: "HTTP request latency by route and status",
      labelNames: ["method", "route", "status"],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    jobOutcomes: new Counter({
      name: "runstrong_jobs_total",
      help: "Finished queue jobs by outcome (completed, failed, retried)",
      labelNames: ["queue", "name", "outcome"],
      registers: [registry],
    }),
    jobDuration: new Histogram({
      name: "runstrong_job_duration_seconds",
      help: "Queue job processing time",
      labelNames: ["queue", "name"],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60],
      registers: [registry],
    }),
    queueDepth: new Gauge({
      name: "runstrong_queue_jobs",
      help: "Jobs per queue and state, read from Redis when scraped",
      labelNames: ["queue", "state"],
      registers: [registry],
    }),
  };
}
