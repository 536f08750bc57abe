// A hand-written SVG chart: per workload, each client's median MB/s and CPU-s/GiB as two bar columns.

import { orderedRows, type ReportWorkload } from "./report-markdown.js";
import type { Summary } from "./summarize.js";

interface ChartInput {
  title: string;
  workloads: ReportWorkload[];
  clients: { id: string; label: string }[];
  /** Core settings in the order they ran; with more than one, each bar's label names its setting. */
  cores: string[];
  summaries: Summary[];
}

const WIDTH = 960;
const LABEL_WIDTH = 290;
const PANEL_WIDTH = 300;
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
    const rows = orderedRows(
      input.summaries.filter((s) => s.workloadId === workload.id),
      input,
    );
    if (rows.length === 0) continue;
    y += 22;
    parts.push(text(10, y, workload.description, "font-weight:bold"));
    y += 16;
    parts.push(text(speedX, y, "MB/s (median, longer is better)", "fill:#555"));
    parts.push(text(cpuX, y, "client CPU-s per GiB (shorter is better)", "fill:#555"));
    y += 8;
    const maxSpeed = Math.max(...rows.map((r) => r.megabytesPerSecond));
    const maxCpu = Math.max(...rows.map((r) => r.cpuSecondsPerGiB));
    for (const row of rows) {
      const ours = row.clientId.startsWith("ours");
      const colour = ours ? "#1f77b4" : "#9aa5b1";
      const name = input.clients.find((c) => c.id === row.clientId)?.label ?? row.clientId;
      const label = input.cores.length > 1 ? `${name} · ${coresText(row.cores)}` : name;
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

function coresText(cores: string): string {
  return cores === "all" ? "not pinned" : cores === "1" ? "1 core" : `${cores} cores`;
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
