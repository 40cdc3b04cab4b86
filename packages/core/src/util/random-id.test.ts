import { describe, expect, it } from "vitest";
import { randomId } from "./random-id.js";

describe("randomId", () => {
  it("draws URL-safe ids of the requested length, across pool refills", () => {
    const seen = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const id = randomId(i % 3 === 0 ? 10 : 21);
      expect(id).toMatch(i % 3 === 0 ? /^[A-Za-z0-9_-]{10}$/ : /^[A-Za-z0-9_-]{21}$/);
      seen.add(id);
    }
    expect(seen.size).toBe(2000);
    expect(randomId(5000)).toHaveLength(5000);
  });

  it("uses every symbol of the alphabet about evenly (6 bits per character)", () => {
    const counts = new Map<string, number>();
    for (const char of randomId(64 * 1000)) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(64);
    for (const count of counts.values()) expect(count).toBeGreaterThan(800);
  });
});
