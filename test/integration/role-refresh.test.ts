// Issue 13 part 1: a role assumed with an OIDC token inside the tool, assumed again with a new token before
// each session ends, against the emulator's STS (seconds-long sessions, ExpiredToken after them).
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { GetObjectCommand, ListMultipartUploadsCommand, type S3Client } from "@aws-sdk/client-s3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { StepError } from "../../src/engine/errors.js";
import { runUploads, type EngineEvent, type EngineOptions, type LocalFile } from "../../src/engine/index.js";
import type { Emulator } from "../emulator/index.js";
import { KiB, PART, emulatorEngineOptions, startWorkspace, stopWorkspace } from "../helpers/engine.js";
import { testIssuer } from "../helpers/oidc.js";

const BUCKET = "role-refresh";
const ROLE = "arn:aws:iam::123456789012:role/uploader";
const SESSION_SECONDS = 3;
const issuer = testIssuer();
let emulator: Emulator;
let sdk: S3Client;
let dir: string;

beforeAll(async () => {
  ({ emulator, sdk, dir } = await startWorkspace(
    {
      minPartSize: KiB,
      buckets: [BUCKET],
      sts: { issuer: issuer.issuer, jwks: issuer.jwks, roles: [ROLE], credentialSeconds: SESSION_SECONDS },
    },
    "svu-role-",
  ));
});

afterEach(() => emulator.faults.clear());

afterAll(() => stopWorkspace({ emulator, sdk, dir }));

async function localFile(name: string, size: number): Promise<{ file: LocalFile; bytes: Buffer }> {
  const bytes = randomBytes(size);
  await writeFile(path.join(dir, name), bytes);
  return { file: { path: path.join(dir, name), key: `f/${name}` }, bytes };
}

async function download(key: string): Promise<Buffer> {
  const answer = await sdk.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await answer.Body!.transformToByteArray());
}

/** Engine options without the emulator's own keys: only the role's session credentials sign. */
function options(overrides: Partial<EngineOptions["s3"]>, events: EngineEvent[]): EngineOptions {
  const base = emulatorEngineOptions(emulator, BUCKET, {
    concurrency: 1,
    tuning: { retryBaseDelayMs: 5, stallTimeoutMs: 30_000 },
    onEvent: (event) => events.push(event),
  });
  const { credentials: _static, ...s3 } = base.s3;
  return { ...base, s3: { ...s3, ...overrides } };
}

function role(tokens: string[], claims: Record<string, unknown> = {}, roleArn = ROLE) {
  return {
    roleArn,
    sessionName: "svu-test",
    durationSeconds: 900,
    stsEndpoint: emulator.endpoint,
    webIdentityToken: async () => {
      const token = issuer.token(claims);
      tokens.push(token);
      return token;
    },
  };
}

/** What configure-aws-credentials hands a job: one session's keys, never refreshed. */
async function oneSession(): Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken: string }> {
  const answer = await fetch(emulator.endpoint, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({
      Action: "AssumeRoleWithWebIdentity",
      Version: "2011-06-15",
      RoleArn: ROLE,
      RoleSessionName: "static",
      DurationSeconds: "900",
      WebIdentityToken: issuer.token(),
    }),
  });
  const xml = await answer.text();
  const field = (name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)![1]!;
  return {
    accessKeyId: field("AccessKeyId"),
    secretAccessKey: field("SecretAccessKey"),
    sessionToken: field("SessionToken"),
  };
}

// Each part is held 1.5 s before the store takes it: 7 parts outlast three 3-second sessions.
function slowParts(key: string): void {
  emulator.faults.add({ operation: "UploadPart", action: "stall", stallMs: 1_500, key });
}

describe("role-to-assume: sessions that end mid-upload", () => {
  it("an upload spanning three session ends completes byte-exact, each session from a new token", async () => {
    const { file, bytes } = await localFile("long.bin", 7 * PART - 5);
    slowParts(file.key);
    const before = emulator.stsSessions.length;
    const tokens: string[] = [];
    const events: EngineEvent[] = [];
    const started = Date.now();
    const result = await runUploads([file], options({ assumeRole: role(tokens) }, events));
    expect(result.files[0]!.error).toBeUndefined();
    expect(result.ok).toBe(true);
    expect(result.files[0]!.verified).toBe(true);
    expect(result.files[0]!.parts).toBe(7);
    expect(Buffer.compare(await download(file.key), bytes)).toBe(0);
    const sessions = emulator.stsSessions.slice(before);
    expect(Date.now() - started).toBeGreaterThan(3 * SESSION_SECONDS * 1000);
    // The first session and one after each of at least three ends.
    expect(sessions.length).toBeGreaterThanOrEqual(4);
    expect(new Set(sessions.map((session) => session.tokenId)).size).toBe(sessions.length);
    expect(tokens).toHaveLength(sessions.length);
    // No token in anything the run reports.
    const reported = JSON.stringify({ result, events });
    for (const token of tokens) expect(reported).not.toContain(token);
  }, 120_000);

  it("STS throttling or an outage when a session is due is retried like any passing failure", async () => {
    const { file, bytes } = await localFile("throttled.bin", 4 * PART);
    emulator.faults.add({ operation: "UploadPart", action: "stall", stallMs: 1_500, key: file.key });
    const before = emulator.stsSessions.length;
    const events: EngineEvent[] = [];
    const tokens: string[] = [];
    const assumeRole = role(tokens);
    const first = assumeRole.webIdentityToken;
    // The first session comes at once; the next AssumeRole calls meet throttling, then an outage.
    assumeRole.webIdentityToken = async () => {
      if (tokens.length === 1) emulator.stsFaults.push("Throttling", "ServiceUnavailable");
      return first();
    };
    const result = await runUploads([file], options({ assumeRole }, events));
    expect(result.files[0]!.error).toBeUndefined();
    expect(Buffer.compare(await download(file.key), bytes)).toBe(0);
    expect(emulator.stsSessions.length - before).toBeGreaterThanOrEqual(2);
    const retried = events.flatMap((event) => (event.type === "retry" ? [event.reason] : []));
    expect(retried.some((reason) => reason.includes("Throttling"))).toBe(true);
    expect(retried.some((reason) => reason.includes("ServiceUnavailable"))).toBe(true);
    expect(emulator.stsFaults).toHaveLength(0);
  }, 120_000);

  it("the same upload with one session's keys (no refresh) fails with ExpiredToken", async () => {
    const { file } = await localFile("static.bin", 7 * PART - 5);
    slowParts(file.key);
    const result = await runUploads([file], options({ credentials: await oneSession() }, []));
    expect(result.ok).toBe(false);
    expect(result.files[0]!.failure?.code).toBe("ExpiredToken");
  }, 120_000);
});

describe("role-to-assume: what STS refuses fails the run before any file, with the fix", () => {
  async function refused(assumeRole: EngineOptions["s3"]["assumeRole"], name: string): Promise<StepError> {
    const { file } = await localFile(name, 2 * PART);
    const failure: unknown = await runUploads([file], options({ assumeRole }, [])).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(StepError);
    const answer = await sdk.send(new ListMultipartUploadsCommand({ Bucket: BUCKET, Prefix: file.key }));
    expect(answer.Uploads ?? []).toHaveLength(0);
    const error = failure as StepError;
    expect(error.detail).toContain("assuming the role failed");
    return error;
  }

  it("a token for another audience: InvalidIdentityToken, and the audience to use", async () => {
    const error = await refused(role([], { aud: "https://github.com/octo" }), "audience.bin");
    expect(error.detail).toContain("InvalidIdentityToken");
    expect(error.detail).toContain("Incorrect token audience");
    expect(error.hint).toContain("sts.amazonaws.com");
  }, 60_000);

  it("a role whose trust policy does not take the token (or that does not exist): AccessDenied, and the trust policy", async () => {
    const error = await refused(role([], {}, "arn:aws:iam::123456789012:role/missing"), "role.bin");
    expect(error.detail).toContain("AccessDenied");
    expect(error.detail).toContain("arn:aws:iam::123456789012:role/missing");
    expect(error.hint).toContain("trust policy");
  }, 60_000);

  it("an expired token: ExpiredTokenException, and where a fresh one comes from", async () => {
    const past = Math.floor(Date.now() / 1000) - 60;
    const error = await refused(role([], { exp: past }), "expired.bin");
    expect(error.detail).toContain("ExpiredTokenException");
    expect(error.hint).toContain("token of this job");
  }, 60_000);

  it("a token signed by another key: InvalidIdentityToken", async () => {
    const other = testIssuer(issuer.issuer);
    const forged = { ...role([]), webIdentityToken: async () => other.token() };
    const error = await refused(forged, "forged.bin");
    expect(error.detail).toContain("InvalidIdentityToken");
  }, 60_000);
});
