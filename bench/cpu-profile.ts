// Reads V8 .cpuprofile files (from node --cpu-prof) into self-time totals per function and per file.

export interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface SelfTime {
  name: string;
  where: string;
  microseconds: number;
}

/** Self time per node id: sample i lasts until sample i+1 is taken, the last one until the profile ends. */
function selfTimeByNode(profile: CpuProfile): Map<number, number> {
  const byNode = new Map<number, number>();
  let time = profile.startTime;
  const stamps = profile.timeDeltas.map((delta) => (time += delta));
  profile.samples.forEach((nodeId, i) => {
    const duration = (stamps[i + 1] ?? profile.endTime) - stamps[i]!;
    byNode.set(nodeId, (byNode.get(nodeId) ?? 0) + Math.max(0, duration));
  });
  return byNode;
}

/** Functions by self time, largest first; the same function reached by different stacks is added up. */
export function selfTimeByFunction(profile: CpuProfile, shortenUrl: (url: string) => string): SelfTime[] {
  const byNode = selfTimeByNode(profile);
  const totals = new Map<string, SelfTime>();
  for (const node of profile.nodes) {
    const microseconds = byNode.get(node.id) ?? 0;
    if (microseconds === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = functionName || "(anonymous)";
    // V8 line numbers are 0-based; editors count from 1.
    const where = url ? `${shortenUrl(url)}:${lineNumber + 1}` : "";
    const key = `${name}\u0000${where}`;
    const entry = totals.get(key) ?? { name, where, microseconds: 0 };
    entry.microseconds += microseconds;
    totals.set(key, entry);
  }
  return [...totals.values()].sort((a, b) => b.microseconds - a.microseconds);
}

/** Self time per source file (or per V8 pseudo-node such as "(garbage collector)"), largest first. */
export function selfTimeByFile(functions: SelfTime[]): SelfTime[] {
  const totals = new Map<string, SelfTime>();
  for (const f of functions) {
    const file = f.where ? f.where.replace(/:\d+$/, "") : f.name;
    const entry = totals.get(file) ?? { name: file, where: "", microseconds: 0 };
    entry.microseconds += f.microseconds;
    totals.set(file, entry);
  }
  return [...totals.values()].sort((a, b) => b.microseconds - a.microseconds);
}
