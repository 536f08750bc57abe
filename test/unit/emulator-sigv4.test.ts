import { describe, expect, it } from "vitest";
import { verifySigV4 } from "../emulator/sigv4.js";
import { S3Error } from "../emulator/errors.js";

// The worked examples from the Amazon S3 API Reference, "Signature Calculations for the Authorization Header"
// and "Authenticating Requests: Using Query Parameters" (bucket examplebucket, 24 May 2013).
const CREDS = {
  accessKeyId: "AKIAIOSFODNN7EXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
};
const NOW = Date.UTC(2013, 4, 24, 0, 0, 0);
const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

function getObjectExample(signature: string, accessKeyId = CREDS.accessKeyId) {
  return {
    method: "GET",
    url: "/test.txt",
    rawHeaders: [
      "Host",
      "examplebucket.s3.amazonaws.com",
      "Range",
      "bytes=0-9",
      "x-amz-content-sha256",
      EMPTY_SHA256,
      "x-amz-date",
      "20130524T000000Z",
      "Authorization",
      `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=${signature}`,
    ],
  };
}

const GET_SIGNATURE = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41";
const PRESIGNED_URL =
  "/test.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request" +
  "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host" +
  "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404";

function codeOf(action: () => unknown): string | undefined {
  try {
    action();
    return undefined;
  } catch (error) {
    if (error instanceof S3Error) return error.code;
    throw error;
  }
}

describe("SigV4 verification against AWS's published examples", () => {
  it("accepts the documented GetObject header signature", () => {
    const result = verifySigV4(getObjectExample(GET_SIGNATURE), CREDS, "us-east-1", NOW);
    expect(result).toEqual({ accessKeyId: CREDS.accessKeyId, payloadHash: EMPTY_SHA256, presigned: false });
  });

  it("rejects a changed signature, a wrong secret, an unknown key and a skewed clock", () => {
    const flipped = GET_SIGNATURE.replace(/^f/, "0");
    expect(codeOf(() => verifySigV4(getObjectExample(flipped), CREDS, "us-east-1", NOW))).toBe(
      "SignatureDoesNotMatch",
    );
    const wrongSecret = { ...CREDS, secretAccessKey: "x" + CREDS.secretAccessKey.slice(1) };
    expect(codeOf(() => verifySigV4(getObjectExample(GET_SIGNATURE), wrongSecret, "us-east-1", NOW))).toBe(
      "SignatureDoesNotMatch",
    );
    expect(
      codeOf(() => verifySigV4(getObjectExample(GET_SIGNATURE, "AKIAOTHER"), CREDS, "us-east-1", NOW)),
    ).toBe("InvalidAccessKeyId");
    expect(
      codeOf(() => verifySigV4(getObjectExample(GET_SIGNATURE), CREDS, "us-east-1", NOW + 16 * 60_000)),
    ).toBe("RequestTimeTooSkewed");
    expect(codeOf(() => verifySigV4(getObjectExample(GET_SIGNATURE), CREDS, "eu-west-1", NOW))).toBe(
      "AuthorizationHeaderMalformed",
    );
  });

  it("rejects a request whose signed header was altered in transit", () => {
    const request = getObjectExample(GET_SIGNATURE);
    request.rawHeaders[3] = "bytes=0-10";
    expect(codeOf(() => verifySigV4(request, CREDS, "us-east-1", NOW))).toBe("SignatureDoesNotMatch");
  });

  it("accepts the documented presigned URL until it expires, then answers AccessDenied", () => {
    const request = {
      method: "GET",
      url: PRESIGNED_URL,
      rawHeaders: ["Host", "examplebucket.s3.amazonaws.com"],
    };
    expect(verifySigV4(request, CREDS, "us-east-1", NOW + 3_600_000).presigned).toBe(true);
    expect(codeOf(() => verifySigV4(request, CREDS, "us-east-1", NOW + 86_401_000))).toBe("AccessDenied");
    const tampered = { ...request, url: PRESIGNED_URL.replace("X-Amz-Expires=86400", "X-Amz-Expires=86401") };
    expect(codeOf(() => verifySigV4(tampered, CREDS, "us-east-1", NOW))).toBe("SignatureDoesNotMatch");
  });

  it("refuses x-amz-* headers the signature does not cover, naming them, in either auth form", () => {
    const failure = (request: Parameters<typeof verifySigV4>[0]) => {
      try {
        verifySigV4(request, CREDS, "us-east-1", NOW + 60_000);
      } catch (error) {
        if (error instanceof S3Error) return [error.code, error.extra.HeadersNotSigned];
        throw error;
      }
      return undefined;
    };
    const presigned = {
      method: "GET",
      url: PRESIGNED_URL,
      rawHeaders: ["Host", "examplebucket.s3.amazonaws.com", "x-amz-checksum-mode", "ENABLED"],
    };
    expect(failure(presigned)).toEqual(["AccessDenied", "x-amz-checksum-mode"]);
    const headerAuth = getObjectExample(GET_SIGNATURE);
    headerAuth.rawHeaders.push("X-Amz-Meta-Extra", "1");
    expect(failure(headerAuth)).toEqual(["AccessDenied", "x-amz-meta-extra"]);
    // x-amz-content-sha256 only describes the payload; S3 tolerates it unsigned.
    const withHash = {
      ...presigned,
      rawHeaders: ["Host", "examplebucket.s3.amazonaws.com", "x-amz-content-sha256", "UNSIGNED-PAYLOAD"],
    };
    expect(failure(withHash)).toBeUndefined();
  });

  it("takes the request time from a Date header only when x-amz-date is absent and Date is signed", () => {
    const withDate = getObjectExample(GET_SIGNATURE);
    const at = withDate.rawHeaders.indexOf("x-amz-date");
    withDate.rawHeaders.splice(at, 2, "Date", "Fri, 24 May 2013 00:00:00 GMT");
    // The example's SignedHeaders names x-amz-date, not date.
    let refusal: unknown;
    try {
      verifySigV4(withDate, CREDS, "us-east-1", NOW);
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(S3Error);
    expect([(refusal as S3Error).code, (refusal as S3Error).extra.HeadersNotSigned]).toEqual([
      "AccessDenied",
      "date",
    ]);
    const undated = getObjectExample(GET_SIGNATURE);
    undated.rawHeaders.splice(at, 2);
    expect(codeOf(() => verifySigV4(undated, CREDS, "us-east-1", NOW))).toBe("AccessDenied");
  });

  it("answers AccessDenied to anonymous requests", () => {
    expect(
      codeOf(() =>
        verifySigV4({ method: "GET", url: "/", rawHeaders: ["Host", "x"] }, CREDS, "us-east-1", NOW),
      ),
    ).toBe("AccessDenied");
  });
});
