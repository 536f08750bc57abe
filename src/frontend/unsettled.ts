/**
 * With nothing left on the event loop, Node exits 0 even if the run's promise never settled — a bug that
 * would look like a successful upload. When that happens, report it and exit 1 instead.
 */
export function failIfUnsettled(work: Promise<unknown>, report: (message: string) => void): void {
  let settled = false;
  const markSettled = (): void => {
    settled = true;
  };
  work.then(markSettled, markSettled);
  process.once("beforeExit", () => {
    if (settled) return;
    report(
      "internal error: the run stopped before it finished (a pending step never completed); " +
        "nothing from this run counts as uploaded or verified. Please report this with the log.",
    );
    process.exitCode = 1;
  });
}
