import { s3ErrorInfo, StepError } from "../errors.js";

/** The object was replaced while this run read it: its bytes must not be mixed with the new version's. */
export class ObjectChanged extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = "ObjectChanged";
  }
}

/** A GET's If-Match failed (412), or a HEAD saw another ETag: the object changed since it was planned. */
export function isObjectChanged(error: unknown): boolean {
  for (let cause: unknown = error; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof ObjectChanged) return true;
    if (cause instanceof StepError) continue;
    const info = s3ErrorInfo(cause);
    if (info.status === 412 || info.code === "PreconditionFailed") return true;
  }
  return false;
}
