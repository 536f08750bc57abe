// The role-to-assume settings: which role, for how long, and where each new OIDC token comes from (GitHub's
// token service through the action, or a file the job wrote, e.g. GitLab's id_tokens). The engine assumes the
// role and renews it (engine/s3/credentials/).
import { readFile } from "node:fs/promises";
import { statSync } from "node:fs";
import type { WebIdentityRole } from "../engine/types.js";
import type { Env } from "./network-env.js";
import { parseWholeNumber, type Field } from "./fields.js";

/** The audience AWS's STS expects by default in the token (the issuer's IAM OIDC provider lists it). */
export const STS_AUDIENCE = "sts.amazonaws.com";

/** Asks GitHub's token service for a new job token with this audience (the action's core.getIDToken). */
export type OidcTokenFetch = (audience: string) => Promise<string>;

/** No token to assume the role with; `service` and the code pick the fix in sts-hints.ts. */
export class TokenSourceError extends Error {
  readonly service = "sts";
  constructor(
    readonly Code: "WebIdentityTokenUnreadable" | "OidcTokenUnavailable",
    message: string,
  ) {
    super(message);
    this.name = Code;
  }
}

/** Read at every renewal, so a file the platform rotates (a Kubernetes projected token) gives a new token. */
export function tokenFileReader(file: string): () => Promise<string> {
  return async () => {
    let text: string;
    try {
      text = await readFile(file, "utf8");
    } catch (error) {
      const code = (error as { code?: string }).code ?? String(error);
      throw new TokenSourceError(
        "WebIdentityTokenUnreadable",
        `web-identity-token-file ${file} cannot be read (${code})`,
      );
    }
    const token = text.trim();
    if (token === "") {
      throw new TokenSourceError("WebIdentityTokenUnreadable", `web-identity-token-file ${file} is empty`);
    }
    return token;
  };
}

/** AWS_ENDPOINT_URL_STS as the AWS CLI and SDKs read it, else STS's endpoint in the run's region. */
export function stsEndpoint(region: string | undefined, env: Env): Field<string> {
  const configured = env["AWS_ENDPOINT_URL_STS"]?.trim();
  if (configured) {
    let url: URL | undefined;
    try {
      url = new URL(configured);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || url.username || url.password) {
      return {
        ok: false,
        error: `AWS_ENDPOINT_URL_STS: "${url ? url.origin : configured}" is not an http(s) URL without credentials; use e.g. https://sts.eu-west-1.amazonaws.com.`,
      };
    }
    return { ok: true, value: url.href };
  }
  const named = region ?? (env["AWS_REGION"]?.trim() || env["AWS_DEFAULT_REGION"]?.trim() || undefined);
  if (named === undefined) return { ok: true, value: "https://sts.amazonaws.com/" };
  const suffix = named.startsWith("cn-") ? "amazonaws.com.cn" : "amazonaws.com";
  return { ok: true, value: `https://sts.${named}.${suffix}/` };
}

export interface RoleInputs {
  roleToAssume: string;
  sessionName: string;
  durationSeconds: string;
  tokenFile: string;
  profile: string | undefined;
  region: string | undefined;
}

/** The role to assume, or none when role-to-assume is empty; every problem as one sentence with its fix. */
export function parseRole(
  inputs: RoleInputs,
  env: Env,
  oidc: OidcTokenFetch | undefined,
): { role: WebIdentityRole | undefined; errors: string[] } {
  const errors: string[] = [];
  if (inputs.roleToAssume === "") {
    if (inputs.tokenFile !== "") {
      errors.push(`Input "web-identity-token-file" needs "role-to-assume": the role the token is for.`);
    }
    return { role: undefined, errors };
  }
  if (!/^arn:[^:\s]+:iam::[^:\s]*:role\/\S+$/.test(inputs.roleToAssume)) {
    errors.push(
      `Input "role-to-assume": "${inputs.roleToAssume}" is not an IAM role ARN; use arn:aws:iam::ACCOUNT:role/NAME.`,
    );
  }
  if (inputs.profile !== undefined) {
    errors.push(`Inputs "role-to-assume" and "profile" both choose the credentials; remove one of them.`);
  }
  if (!/^[\w+=,.@-]{2,64}$/.test(inputs.sessionName)) {
    errors.push(
      `Input "role-session-name": "${inputs.sessionName}" is not a session name; use 2 to 64 letters, digits and +=,.@- characters.`,
    );
  }
  const duration = parseWholeNumber("role-duration-seconds", inputs.durationSeconds, 900, 43_200);
  if (!duration.ok) errors.push(duration.error);
  const endpoint = stsEndpoint(inputs.region, env);
  if (!endpoint.ok) errors.push(endpoint.error);
  const token = tokenSource(inputs.tokenFile, env, oidc);
  if (!token.ok) errors.push(token.error);
  if (errors.length > 0 || !duration.ok || !endpoint.ok || !token.ok) return { role: undefined, errors };
  return {
    role: {
      roleArn: inputs.roleToAssume,
      sessionName: inputs.sessionName,
      durationSeconds: duration.value,
      stsEndpoint: endpoint.value,
      webIdentityToken: token.value,
    },
    errors,
  };
}

function tokenSource(
  tokenFile: string,
  env: Env,
  oidc: OidcTokenFetch | undefined,
): Field<() => Promise<string>> {
  if (tokenFile !== "") {
    let problem: string | undefined;
    try {
      if (!statSync(tokenFile).isFile()) problem = "is not a file";
    } catch (error) {
      problem = `cannot be read (${(error as { code?: string }).code ?? String(error)})`;
    }
    return problem
      ? {
          ok: false,
          error: `Input "web-identity-token-file": ${tokenFile} ${problem}; write the job's OIDC token there first (GitLab: id_tokens, then echo "$ID_TOKEN" > ${tokenFile}).`,
        }
      : { ok: true, value: tokenFileReader(tokenFile) };
  }
  if (oidc === undefined) {
    return {
      ok: false,
      error: `Input "role-to-assume" needs "web-identity-token-file" here: the path of a file holding an OIDC token with audience ${STS_AUDIENCE} (GitLab: id_tokens).`,
    };
  }
  if (!env["ACTIONS_ID_TOKEN_REQUEST_URL"] || !env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"]) {
    return {
      ok: false,
      error: `Input "role-to-assume" needs the job's OIDC token, which this job may not request: add "permissions: id-token: write" to the job (or set "web-identity-token-file").`,
    };
  }
  return {
    ok: true,
    value: () =>
      oidc(STS_AUDIENCE).catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        throw new TokenSourceError(
          "OidcTokenUnavailable",
          `GitHub's token service gave no OIDC token (${reason})`,
        );
      }),
  };
}
