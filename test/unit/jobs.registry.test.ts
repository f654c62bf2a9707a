import { describe, expect, it } from "vitest";
import { JOBS, QUEUE_NAMES } from "../../src/workers/jobs.ts";
import { handlerFor, PROCESSORS } from "../../src/workers/registry.ts";

describe("the job registry", () => {
  it("gives every job exactly one processor, on its own queue", () => {
    for (const [name, def] of Object.entries(JOBS)) {
      const owners = QUEUE_NAMES.filter((q) => Object.hasOwn(PROCESSORS[q], name));
      expect(owners, `processors handling ${name}`).toEqual([def.queue]);
      expect(handlerFor(def.queue, name)).toBeTypeOf("function");
    }
  });

  it("has no processor for a job that is not registered", () => {
    for (const queue of QUEUE_NAMES) {
      for (const name of Object.keys(PROCESSORS[queue])) expect(Object.hasOwn(JOBS, name), name).toBe(true);
    }
    expect(handlerFor("maintenance", "no-such-job")).toBeUndefined();
    expect(handlerFor("maintenance", "replan-athlete")).toBeUndefined();
  });

  it("uses job names BullMQ accepts as id parts (no ':')", () => {
    for (const name of Object.keys(JOBS)) expect(name).not.toContain(":");
  });
});
