import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const guard = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../src/frontend/unsettled.ts");

function runScript(body: string): { status: number | null; stderr: string } {
  const script = `import { failIfUnsettled } from ${JSON.stringify(guard)};\n${body}`;
  const child = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    encoding: "utf8",
  });
  return { status: child.status, stderr: child.stderr };
}

describe("failIfUnsettled", () => {
  it("turns an exit with the run still pending into exit 1 with a message", () => {
    const child = runScript(
      "failIfUnsettled(new Promise(() => {}), (m) => process.stderr.write('reported: ' + m + '\\n'));",
    );
    expect(child.status).toBe(1);
    expect(child.stderr).toContain("reported: internal error: the run stopped before it finished");
  });

  it("leaves a run that settled alone", () => {
    const child = runScript(
      "failIfUnsettled(Promise.resolve(), (m) => process.stderr.write('reported: ' + m + '\\n'));",
    );
    expect(child.status).toBe(0);
    expect(child.stderr).not.toContain("reported:");
  });

  it("counts a rejected run as settled: its own handler sets the exit code", () => {
    const child = runScript(
      "const run = Promise.reject(new Error('x')).catch(() => { process.exitCode = 1; });\n" +
        "failIfUnsettled(run, (m) => process.stderr.write('reported: ' + m + '\\n'));",
    );
    expect(child.status).toBe(1);
    expect(child.stderr).not.toContain("reported:");
  });
});
