/**
 * On Node 20 the AWS SDK prints, on its first client, a 9-line warning that its releases after January 2027
 * will need Node 22. The bundle pins its SDK, so the warning is about nothing a user of this tool can act on,
 * on a runtime the tool supports. It is turned off the way the SDK documents (aws/aws-sdk-js-v3#7983), before
 * any client exists; every other warning stays, and a value the user set is kept.
 */
export function silenceSdkNodeVersionWarning(env: NodeJS.ProcessEnv): void {
  env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";
}
