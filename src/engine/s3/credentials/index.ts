// The credentials a store client signs with when the run assumes a role itself (S3Settings.assumeRole).
import { createAgents, type NetworkSettings } from "../network.js";
import { assumeRoleWithWebIdentity } from "./assume-role.js";
import { roleCredentialProvider, type CredentialProvider } from "./role-credentials.js";
import type { WebIdentityRole } from "../../types.js";

/** STS goes through the same proxy and CA rules as the store, on agents of its own (another host). */
export function webIdentityCredentials(
  role: WebIdentityRole,
  network: NetworkSettings,
  timeoutMs: number,
): CredentialProvider {
  const endpoint = new URL(role.stsEndpoint);
  const agents = createAgents(endpoint, network, { maxSockets: 2 });
  // Awaited by each AssumeRole, which reports a failure to load the proxy agents; not a crash before that.
  agents.catch(() => undefined);
  return roleCredentialProvider(role, async (request) =>
    assumeRoleWithWebIdentity({ endpoint, agents: await agents, timeoutMs }, request),
  );
}
