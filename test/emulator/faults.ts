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
  | "flip-in-transit"
  | "corrupt-body"
  | "cut-body"
  | "stall-body"
  | "replace-after";

/** Actions on the body of a GetObject answer: they fire only for an answer that has body bytes. */
export const BODY_ACTIONS: readonly FaultAction[] = ["corrupt-body", "cut-body", "stall-body"];

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
  /**
   * For "stall": how long to hold the request before handling it; for "stall-body": how long to hold the body
   * before sending the rest. Absent means forever.
   */
  stallMs?: number;
  /**
   * For body faults, a byte offset inside this answer's body (past its end means the last byte): "corrupt-body"
   * flips that byte, "cut-body" and "stall-body" send the bytes before it. Absent: drawn from the seed.
   */
  offset?: number;
  /** For "replace-after": the replacement object's bytes. Absent: the current bytes, each inverted (same size). */
  body?: Buffer | string;
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

/** A body fault chosen for one answer, with the offset it acts at. */
export interface BodyFault {
  action: "corrupt-body" | "cut-body" | "stall-body";
  offset: number;
  stallMs: number | undefined;
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
  "corrupt-body",
  "cut-body",
  "stall-body",
  "replace-after",
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
    if (rule.offset !== undefined && !(Number.isSafeInteger(rule.offset) && rule.offset >= 0)) {
      throw new Error(`fault offset ${rule.offset} is not a byte offset; use a non-negative integer`);
    }
    this.rules.push({ rule, random: seededRandom(rule.seed ?? this.seed), fired: 0 });
  }

  clear(): void {
    this.rules = [];
    this.callCounts.clear();
  }

  /** Counts the call and returns the first request rule (not a body rule) that fires for it, if any. */
  next(target: FaultTarget): FaultRule | undefined {
    return this.match(target, this.count(target.operation), false)?.rule;
  }

  /** Counts a call of the operation and returns its 1-based number, which later matches take. */
  count(operation: string): number {
    const call = (this.callCounts.get(operation) ?? 0) + 1;
    this.callCounts.set(operation, call);
    return call;
  }

  /** The request rule that fires for call number `call` of the target's operation. */
  forRequest(target: FaultTarget, call: number): FaultRule | undefined {
    return this.match(target, call, false)?.rule;
  }

  /** The body rule that fires for an answer of `length` (> 0) body bytes to call number `call`, with its offset. */
  forBody(target: FaultTarget, call: number, length: number): BodyFault | undefined {
    const armed = this.match(target, call, true);
    if (!armed) return undefined;
    const drawn = armed.rule.offset ?? Math.floor(armed.random() * length);
    return {
      action: armed.rule.action as BodyFault["action"],
      offset: Math.min(drawn, length - 1),
      stallMs: armed.rule.stallMs,
    };
  }

  private match(target: FaultTarget, call: number, body: boolean): ArmedRule | undefined {
    for (const armed of this.rules) {
      const { rule } = armed;
      if (BODY_ACTIONS.includes(rule.action) !== body) continue;
      if (rule.operation !== "*" && rule.operation !== target.operation) continue;
      if (rule.key !== undefined && rule.key !== target.key) continue;
      if (rule.partNumber !== undefined && rule.partNumber !== target.partNumber) continue;
      if (rule.calls && !rule.calls.includes(call)) continue;
      if (rule.times !== undefined && armed.fired >= rule.times) continue;
      if (rule.probability !== undefined && armed.random() >= rule.probability) continue;
      armed.fired += 1;
      return armed;
    }
    return undefined;
  }
}
