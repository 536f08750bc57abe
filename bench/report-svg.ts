// A hand-written SVG chart: per workload, each client's median MB/s and CPU-s/GiB as two bar columns.

import { describeWorkload } from "./report-markdown.js";
import type { Summary } from "./summarize.js";

interface ChartInput {
  title: string;
  workloads: { id: string; title?: string; fileCount: number; fileSize: number; totalBytes: number }[];
  clients: { id: string; label: string }[];
  summaries: Summary[];
}

const WIDTH = 960;
const LABEL_WIDTH = 230;
const PANEL_WIDTH = 330;
const GAP = 35;
const ROW = 20;
const BAR = 14;

export function renderSvg(input: ChartInput): string {
  const parts: string[] = [];
  let y = 30;
  parts.push(text(10, 20, input.title, "font-weight:bold;font-size:15px"));
  const speedX = LABEL_WIDTH;
  const cpuX = LABEL_WIDTH + PANEL_WIDTH + GAP;
  for (const workload of input.workloads) {
    const rows = input.summaries.filter((s) => s.workloadId === workload.id);
    if (rows.length === 0) continue;
    y += 22;
    parts.push(text(10, y, describeWorkload(workload), "font-weight:bold"));
    parts.push(text(speedX, y, "MB/s (median, longer is better)", "fill:#555"));
    parts.push(text(cpuX, y, "client CPU-s per GiB (shorter is better)", "fill:#555"));
    y += 8;
    const maxSpeed = Math.max(...rows.map((r) => r.megabytesPerSecond));
    const maxCpu = Math.max(...rows.map((r) => r.cpuSecondsPerGiB));
    for (const row of rows) {
      const ours = row.clientId.startsWith("ours");
      const colour = ours ? "#1f77b4" : "#9aa5b1";
      const label = input.clients.find((c) => c.id === row.clientId)?.label ?? row.clientId;
      parts.push(text(10, y + BAR - 3, label, ours ? "font-weight:bold" : ""));
      parts.push(bar(speedX, y, (row.megabytesPerSecond / maxSpeed) * (PANEL_WIDTH - 60), colour));
      parts.push(
        text(
          speedX + (row.megabytesPerSecond / maxSpeed) * (PANEL_WIDTH - 60) + 4,
          y + BAR - 3,
          num(row.megabytesPerSecond, 0),
        ),
      );
      parts.push(bar(cpuX, y, (row.cpuSecondsPerGiB / maxCpu) * (PANEL_WIDTH - 60), colour));
      parts.push(
        text(
          cpuX + (row.cpuSecondsPerGiB / maxCpu) * (PANEL_WIDTH - 60) + 4,
          y + BAR - 3,
          num(row.cpuSecondsPerGiB, 2),
        ),
      );
      y += ROW;
    }
  }
  const height = y + 15;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${height}" fill="#fff"/>`,
    ...parts,
    "</svg>",
    "",
  ].join("\n");
}

function bar(x: number, y: number, width: number, colour: string): string {
  return `<rect x="${x}" y="${y}" width="${Math.max(1, width).toFixed(1)}" height="${BAR}" fill="${colour}"/>`;
}

function text(x: number, y: number, content: string, style = ""): string {
  const styled = style ? ` style="${style}"` : "";
  return `<text x="${x.toFixed(1)}" y="${y}"${styled}>${escapeXml(content)}</text>`;
}

function num(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "–";
}

export function escapeXml(value: string): string {
  return value.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}
