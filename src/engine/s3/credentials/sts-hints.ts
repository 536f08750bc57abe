// What to fix when STS refuses to hand out the role's session: its codes mean other things than S3's
// (AccessDenied is the role's trust policy here, not the bucket's policy).
const STS_HINTS: Record<string, string> = {
  InvalidIdentityToken:
    "STS did not accept the OIDC token: the account needs an IAM OIDC identity provider for the token's issuer " +
    "(token.actions.githubusercontent.com, or your GitLab's URL), and the token's audience must be sts.amazonaws.com " +
    "(GitLab: id_tokens with aud: sts.amazonaws.com).",
  AccessDenied:
    'The role refused this token: check that "role-to-assume" names an existing role and that its trust policy ' +
    "allows sts:AssumeRoleWithWebIdentity for this issuer, audience and subject (the README's trust policy examples).",
  ExpiredTokenException:
    "The OIDC token had expired when STS checked it: the token file must hold a token of this job (GitLab id_tokens), " +
    "not one saved from an earlier job; also check this machine's clock.",
  ValidationError:
    'STS refused a parameter: "role-to-assume" must be an IAM role ARN, "role-session-name" 2 to 64 characters of ' +
    'letters, digits and +=,.@-, and "role-duration-seconds" at most the role\'s maximum session duration.',
  IDPCommunicationError: "STS could not reach the token's issuer to check it; rerun in a few minutes.",
  WebIdentityTokenUnreadable:
    'Check "web-identity-token-file": the job must write its OIDC token there before this step and leave it for the whole run.',
  OidcTokenUnavailable:
    'The job could not get its OIDC token: give the job "permissions: id-token: write" (a workflow from a fork gets ' +
    "no token), or rerun if GitHub's token service was down.",
  IDPRejectedClaim:
    "The issuer's provider refused the token's claims; check the token's issuer and audience.",
};

/** The fix for an error STS answered (StsError), when its code names one. */
export function stsHint(error: unknown): string | undefined {
  const shape = error as { service?: unknown; Code?: unknown };
  return shape.service === "sts" && typeof shape.Code === "string" ? STS_HINTS[shape.Code] : undefined;
}
