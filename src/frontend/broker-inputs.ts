// broker-url and broker-audience: where the presigned-part broker is and how this job proves who it is to it
// (GitHub's job token with the broker's audience through the action, or the token file elsewhere). With a
// broker the run loads no S3 credentials, so settings that choose them, and modes the broker cannot serve,
// are refused here with their fix.
import { statSync } from "node:fs";
import type { BrokerSettings } from "../engine/types.js";
import type { Env } from "./network-env.js";
import { TokenSourceError, tokenFileReader, type OidcTokenFetch } from "./role.js";

export interface BrokerInputs {
  url: string;
  audience: string;
  tokenFile: string;
  mode: string;
  roleToAssume: string;
  profile: string | undefined;
  /** "auto" unless given. */
  provider: string;
  checksumAlgorithm: string;
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]"]);

function checkUrl(text: string): { url: string } | { error: string } {
  let url: URL | undefined;
  try {
    url = new URL(text);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== "https:" && url.protocol !== "http:") || url.username || url.password) {
    return {
      error: `Input "broker-url": "${url ? url.origin : text}" is not an http(s) URL without credentials; use the broker's base URL, e.g. https://broker.example.com.`,
    };
  }
  // The token is a bearer credential: over plain http anyone on the way could replay it.
  if (url.protocol === "http:" && !LOOPBACK.has(url.hostname)) {
    return {
      error: `Input "broker-url": ${url.origin} is plain http, which would send the OIDC token in the clear; use https (http only on loopback).`,
    };
  }
  return { url: url.href };
}

function tokenSource(
  inputs: BrokerInputs,
  env: Env,
  oidc: OidcTokenFetch | undefined,
): { token: () => Promise<string> } | { error: string } {
  if (inputs.tokenFile !== "") {
    try {
      if (!statSync(inputs.tokenFile).isFile()) throw new Error("not a file");
    } catch (error) {
      const why = (error as { code?: string }).code ?? "is not a file";
      return {
        error: `Input "web-identity-token-file": ${inputs.tokenFile} cannot be read (${why}); write the job's OIDC token for the broker there first (GitLab: id_tokens).`,
      };
    }
    return { token: tokenFileReader(inputs.tokenFile) };
  }
  if (oidc === undefined) {
    return {
      error: `Input "broker-url" needs "web-identity-token-file" here: the path of a file holding an OIDC token with the broker's audience (GitLab: id_tokens).`,
    };
  }
  if (inputs.audience === "") {
    return {
      error: `Input "broker-url" needs "broker-audience": the audience the broker's issuers entry expects for GitHub's tokens.`,
    };
  }
  if (!env["ACTIONS_ID_TOKEN_REQUEST_URL"] || !env["ACTIONS_ID_TOKEN_REQUEST_TOKEN"]) {
    return {
      error: `Input "broker-url" needs the job's OIDC token, which this job may not request: add "permissions: id-token: write" to the job (or set "web-identity-token-file").`,
    };
  }
  const audience = inputs.audience;
  return {
    token: () =>
      oidc(audience).catch((error: unknown) => {
        const reason = error instanceof Error ? error.message : String(error);
        throw new TokenSourceError(
          "OidcTokenUnavailable",
          `GitHub's token service gave no OIDC token (${reason})`,
        );
      }),
  };
}

/** The broker to upload through, none when broker-url is empty; every problem as one sentence with its fix. */
export function parseBroker(
  inputs: BrokerInputs,
  env: Env,
  oidc: OidcTokenFetch | undefined,
): { broker: BrokerSettings | undefined; errors: string[] } {
  if (inputs.url === "") {
    const errors =
      inputs.audience !== ""
        ? [`Input "broker-audience" needs "broker-url": the broker the token is for.`]
        : [];
    return { broker: undefined, errors };
  }
  const errors: string[] = [];
  const url = checkUrl(inputs.url);
  if ("error" in url) errors.push(url.error);
  if (inputs.mode !== "upload") {
    errors.push(
      `Input "broker-url" works in upload mode only (the broker signs uploads, not ${inputs.mode}); run ${inputs.mode} with S3 credentials or role-to-assume.`,
    );
  }
  if (inputs.roleToAssume !== "") {
    errors.push(`Inputs "broker-url" and "role-to-assume" both choose how to reach S3; remove one of them.`);
  }
  if (inputs.profile !== undefined) {
    errors.push(`Inputs "broker-url" and "profile" both choose how to reach S3; remove one of them.`);
  }
  if (inputs.provider !== "auto") {
    errors.push(
      `Inputs "broker-url" and "provider" both choose the store; remove "provider" (the broker signs for the store in its own configuration).`,
    );
  }
  if (inputs.checksumAlgorithm === "none") {
    errors.push(
      `Input "checksum-algorithm" is none, but the broker signs every part with its checksum; use CRC64NVME (the default) or another algorithm.`,
    );
  }
  const token = tokenSource(inputs, env, oidc);
  if ("error" in token) errors.push(token.error);
  if (errors.length > 0 || "error" in url || "error" in token) return { broker: undefined, errors };
  return { broker: { url: url.url, token: token.token }, errors };
}
