import { describe, expect, it } from "vitest";
import { storageContract } from "./contract.js";
import { memoryStorage } from "./memory.js";

// Two "instances" of the memory driver share one object: that is how it is shared in one process.
describe("memoryStorage passes the storage contract", () => {
  let shared: ReturnType<typeof memoryStorage> | undefined;
  const cases = storageContract({
    create: () => (shared ??= memoryStorage({ sweepInterval: 50 })),
    dispose: () => {},
  });
  for (const { name, run } of cases) it(name, run);
});

describe("the storage contract fails a driver that breaks it", () => {
  const caseNamed = (cases: ReturnType<typeof storageContract>, start: string) => {
    const found = cases.find((c) => c.name.startsWith(start));
    if (!found) throw new Error(`no contract case starting "${start}"`);
    return found;
  };

  it("a read-then-write update (no compare-and-swap) loses writes and is caught", async () => {
    const base = memoryStorage();
    // Reads, yields, then writes: two instances interleave and one write is lost.
    const racy = {
      ...base,
      sessions: {
        ...base.sessions,
        async update(id: string, change: (r: any) => any, ttlMs: number) {
          const current = await base.sessions.get(id);
          if (!current) return undefined;
          await new Promise((resolve) => setTimeout(resolve, 1));
          const next = change(current);
          if (next !== undefined) await base.sessions.set(id, next, ttlMs);
          return next ?? current;
        },
      },
    };
    const cases = storageContract({ create: () => racy, dispose: () => {} });
    await expect(caseNamed(cases, "sessions: concurrent updates").run()).rejects.toThrow(/every concurrent update is kept/);
  });

  it("a lease that ignores its holder is caught", async () => {
    const base = memoryStorage();
    const careless = { ...base, leases: { ...base.leases, acquire: async () => true } };
    const cases = storageContract({ create: () => careless, dispose: () => {} });
    await expect(caseNamed(cases, "leases: one holder").run()).rejects.toThrow(/refused to another owner/);
  });
});
