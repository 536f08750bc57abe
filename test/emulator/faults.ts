// Fault rules that tests arm per emulator instance; random choices use a seeded generator so runs repeat exactly.

export type FaultAction =
  | "500"
  | "503"
  | "403"
  | "reset"
  | "stall"
  | "corrupt-stored"
  | "drop-stored"
  | "lose-response"
  | "flip-in-transit";

export interface FaultRule {
  /** S3 operation name (e.g. "UploadPart") or "*". */
  operation: string;
  action: FaultAction;
  /** Chance (0..1) that a matching call fires. */
  probability?: number;
  /** 1-based call numbers of that operation that fire. */
  calls?: number[];
  /** Maximum number of firings. */
  times?: number;
  partNumber?: number;
  key?: string;
  /** For "stall": how long to hold the request before handling it; absent means forever. */
  stallMs?: number;
  /** Seed for this rule's random draws; defaults to the injector's seed. */
  seed?: number;
}

export interface FaultInjector {
  add(rule: FaultRule): void;
  clear(): void;
  /** How many times each rule added so far has fired, in the order added. */
  readonly fired: number[];
}

interface ArmedRule {
  rule: FaultRule;
  random: () => number;
  fired: number;
}

export interface FaultTarget {
  operation: string;
  key: string | undefined;
  partNumber: number | undefined;
}

/** mulberry32: tiny, fast, and good enough to spread fault draws. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ACTIONS: readonly FaultAction[] = [
  "500",
  "503",
  "403",
  "reset",
  "stall",
  "corrupt-stored",
  "drop-stored",
  "lose-response",
  "flip-in-transit",
];

export class Faults implements FaultInjector {
  private rules: ArmedRule[] = [];
  private readonly callCounts = new Map<string, number>();

  constructor(private readonly seed: number) {}

  get fired(): number[] {
    return this.rules.map((armed) => armed.fired);
  }

  add(rule: FaultRule): void {
    if (!ACTIONS.includes(rule.action)) {
      throw new Error(`fault action "${rule.action}" is unknown; use one of ${ACTIONS.join(", ")}`);
    }
    if (rule.probability !== undefined && !(rule.probability >= 0 && rule.probability <= 1)) {
      throw new Error(`fault probability ${rule.probability} is out of range; use a number from 0 to 1`);
    }
    this.rules.push({ rule, random: seededRandom(rule.seed ?? this.seed), fired: 0 });
  }

  clear(): void {
    this.rules = [];
    this.callCounts.clear();
  }

  /** Counts the call and returns the first rule that fires for it, if any. */
  next(target: FaultTarget): FaultRule | undefined {
    const call = (this.callCounts.get(target.operation) ?? 0) + 1;
    this.callCounts.set(target.operation, call);
    for (const armed of this.rules) {
      const { rule } = armed;
      if (rule.operation !== "*" && rule.operation !== target.operation) continue;
      if (rule.key !== undefined && rule.key !== target.key) continue;
      if (rule.partNumber !== undefined && rule.partNumber !== target.partNumber) continue;
      if (rule.calls && !rule.calls.includes(call)) continue;
      if (rule.times !== undefined && armed.fired >= rule.times) continue;
      if (rule.probability !== undefined && armed.random() >= rule.probability) continue;
      armed.fired += 1;
      return rule;
    }
    return undefined;
  }
}
