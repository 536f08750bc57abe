import { describe, expect, it } from "vitest";
import { Faults } from "../emulator/faults.js";

const UPLOAD = (partNumber: number) => ({ operation: "UploadPart", key: "k", partNumber });

describe("fault injector", () => {
  it("fires on chosen call numbers of the operation only", () => {
    const faults = new Faults(1);
    faults.add({ operation: "UploadPart", action: "500", calls: [2, 4] });
    const fired = [1, 2, 3, 4, 5].map((n) => faults.next(UPLOAD(n))?.action);
    expect(fired).toEqual([undefined, "500", undefined, "500", undefined]);
    expect(faults.next({ operation: "PutObject", key: "k", partNumber: undefined })).toBeUndefined();
  });

  it("respects times, partNumber and key filters", () => {
    const faults = new Faults(1);
    faults.add({ operation: "*", action: "503", partNumber: 3, times: 1 });
    expect(faults.next(UPLOAD(1))).toBeUndefined();
    expect(faults.next(UPLOAD(3))?.action).toBe("503");
    expect(faults.next(UPLOAD(3))).toBeUndefined();
    faults.add({ operation: "UploadPart", action: "reset", key: "other" });
    expect(faults.next(UPLOAD(3))).toBeUndefined();
    expect(faults.fired).toEqual([1, 0]);
  });

  it("draws probabilities reproducibly from the seed", () => {
    const run = (seed: number) => {
      const faults = new Faults(seed);
      faults.add({ operation: "UploadPart", action: "500", probability: 0.3 });
      return Array.from({ length: 200 }, (_, i) => faults.next(UPLOAD(i + 1)) !== undefined);
    };
    const first = run(7);
    expect(run(7)).toEqual(first);
    expect(run(8)).not.toEqual(first);
    const share = first.filter(Boolean).length / first.length;
    expect(share).toBeGreaterThan(0.2);
    expect(share).toBeLessThan(0.4);
  });

  it("refuses unknown actions and out-of-range probabilities with a message naming the fix", () => {
    const faults = new Faults(1);
    expect(() => faults.add({ operation: "*", action: "explode" as "500" })).toThrow(/use one of/);
    expect(() => faults.add({ operation: "*", action: "500", probability: 2 })).toThrow(/from 0 to 1/);
  });
});
