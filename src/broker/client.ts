// A client of the broker for one file: no S3 credentials, only an OIDC token. Each part goes to its presigned
// URL with its signed CRC64NVME (and, for stores that ignore checksums, Content-MD5); the store's answer is
// checked against what was sent; Complete sends the whole-object CRC64NVME and the size, and the result must
// echo them. Any failure aborts the upload through the broker and names the file, the step and the fix.
import { open } from "node:fs/promises";
import { combineFullObject, createPartHasher, md5 } from "../engine/checksum/index.js";
import { StepError } from "../engine/errors.js";

export interface BrokerUpload {
  brokerUrl: string;
  /** Called before each broker call, so a long upload can hand over fresh OIDC tokens as old ones expire. */
  token: () => Promise<string>;
  path: string;
  key: string;
  partSize: number;
  /** Send each part's signed Content-MD5 too (the broker requires it for stores that ignore checksums). */
  contentMd5: boolean;
  signal?: AbortSignal;
}

export interface BrokerUploadResult {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  checksum: string;
  versionId?: string;
  /** How the broker and the store proved the object, as the broker reported it. */
  proof: string;
}

interface CallAnswer {
  status: number;
  body: Record<string, unknown> & { error?: { code?: string; message?: string; hint?: string } };
}

async function call(upload: BrokerUpload, method: string, path: string, body?: unknown): Promise<CallAnswer> {
  const answer = await fetch(`${upload.brokerUrl.replace(/\/$/, "")}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${await upload.token()}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    ...(upload.signal ? { signal: upload.signal } : {}),
  });
  const text = await answer.text();
  let parsed: CallAnswer["body"] = {};
  try {
    parsed = JSON.parse(text) as CallAnswer["body"];
  } catch {
    parsed = { error: { message: `not JSON: ${text.slice(0, 200)}` } };
  }
  return { status: answer.status, body: parsed };
}

function brokerRefusal(file: string, step: string, answer: CallAnswer): StepError {
  const error = answer.body.error ?? {};
  const hint =
    answer.status === 401
      ? "get a fresh OIDC token for the broker's audience"
      : answer.status === 403
        ? "ask the broker's operator for a rule that grants this key, or upload under your prefix"
        : (error.hint ?? "see the broker's audit log for this call");
  return new StepError(
    `${step} for ${file}`,
    `the broker answered ${answer.status} ${error.code ?? ""}: ${error.message ?? ""}`.trim(),
    hint,
  );
}

export async function uploadThroughBroker(upload: BrokerUpload): Promise<BrokerUploadResult> {
  if (!Number.isSafeInteger(upload.partSize) || upload.partSize < 1) {
    throw new StepError(
      `uploading ${upload.path}`,
      `the part size ${upload.partSize} is not a byte count`,
      "pass a part size of at least 1 byte (S3: 5 MiB except the last part)",
    );
  }
  const handle = await open(upload.path, "r");
  try {
    const size = (await handle.stat()).size;
    const created = await call(upload, "POST", "/s3/multipart", {
      key: upload.key,
      size,
      checksumAlgorithm: "CRC64NVME",
    });
    if (created.status !== 200) throw brokerRefusal(upload.path, "CreateMultipartUpload", created);
    const uploadId = String(created.body.uploadId);
    const where = `/s3/multipart/${encodeURIComponent(uploadId)}`;
    const keyQuery = `key=${encodeURIComponent(upload.key)}`;
    try {
      const parts: Array<{ PartNumber: number; ETag: string; ChecksumCRC64NVME: string }> = [];
      const digests: Array<{ digest: Buffer; size: number }> = [];
      const buffer = Buffer.allocUnsafe(Math.min(upload.partSize, Math.max(size, 1)));
      // An empty file is one empty part, as S3 allows for the only part.
      for (let number = 1, offset = 0; offset < size || number === 1; number++, offset += upload.partSize) {
        const length = Math.min(upload.partSize, size - offset);
        const { bytesRead } = await handle.read(buffer, 0, length, offset);
        if (bytesRead !== length) {
          throw new StepError(
            `reading ${upload.path}`,
            `part ${number} ended after ${bytesRead} of ${length} bytes`,
            "the file changed while it was uploaded; upload it again once it is complete",
          );
        }
        const body = buffer.subarray(0, length);
        const hasher = await createPartHasher("CRC64NVME");
        hasher.update(body);
        const digest = hasher.digest();
        const checksum = digest.toString("base64");
        const query = new URLSearchParams({ size: String(length), checksumAlgorithm: "CRC64NVME", checksum });
        if (upload.contentMd5) query.set("contentMd5", md5(body).toString("base64"));
        const signed = await call(upload, "GET", `${where}/${number}?${keyQuery}&${query}`);
        if (signed.status !== 200) throw brokerRefusal(upload.path, `signing part ${number}`, signed);
        const put = await fetch(String(signed.body.url), {
          method: "PUT",
          headers: signed.body.headers as Record<string, string>,
          body,
          ...(upload.signal ? { signal: upload.signal } : {}),
        });
        const answerText = await put.text();
        if (put.status !== 200) {
          throw new StepError(
            `UploadPart ${number} of ${upload.path}`,
            `the store answered ${put.status} ${/<Code>([^<]+)/.exec(answerText)?.[1] ?? ""}`.trim(),
            put.status === 400
              ? "the part changed on the way (BadDigest): upload the file again"
              : "upload the file again; if it persists, check the broker's store settings",
          );
        }
        const echoed = put.headers.get("x-amz-checksum-crc64nvme");
        if (echoed !== null && echoed !== checksum) {
          throw new StepError(
            `UploadPart ${number} of ${upload.path}`,
            `the store answered CRC64NVME ${echoed}, not ${checksum}`,
            "the store did not keep the bytes sent: upload the file again",
          );
        }
        parts.push({ PartNumber: number, ETag: put.headers.get("etag") ?? "", ChecksumCRC64NVME: checksum });
        digests.push({ digest, size: length });
        if (size === 0) break;
      }
      const whole = combineFullObject("CRC64NVME", digests).toString("base64");
      const done = await call(upload, "POST", `${where}/complete?${keyQuery}`, {
        parts,
        size,
        checksum: whole,
      });
      if (done.status !== 200) throw brokerRefusal(upload.path, "CompleteMultipartUpload", done);
      if (done.body.size !== size || (done.body.checksum !== undefined && done.body.checksum !== whole)) {
        throw new StepError(
          `CompleteMultipartUpload of ${upload.path}`,
          `the object is ${String(done.body.size)} bytes with CRC64NVME ${String(done.body.checksum)}, the file ${size} bytes with ${whole}`,
          "delete the object and upload the file again",
        );
      }
      return {
        bucket: String(done.body.bucket),
        key: upload.key,
        size,
        etag: String(done.body.etag),
        checksum: whole,
        ...(typeof done.body.versionId === "string" ? { versionId: done.body.versionId } : {}),
        proof: String(done.body.proof),
      };
    } catch (error) {
      // Nothing of a failed run is left behind: the parts already stored go with the upload.
      // Not under the caller's signal: an interrupted run must still abort what it started.
      const { signal: _ignored, ...unsignalled } = upload;
      await call(unsignalled, "DELETE", `${where}?${keyQuery}`).catch(() => undefined);
      throw error;
    }
  } finally {
    await handle.close();
  }
}
