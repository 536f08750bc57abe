// The environment for /usr/bin/aws as an independent client: only the given keys and region, no profile,
// config file, pager or instance metadata of this machine.
export function awsCliEnv(
  home: string,
  credentials: { accessKeyId: string; secretAccessKey: string },
  region: string,
): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? "/usr/bin:/bin",
    HOME: home,
    AWS_CONFIG_FILE: "/dev/null",
    AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_DEFAULT_REGION: region,
    AWS_PAGER: "",
    AWS_EC2_METADATA_DISABLED: "true",
  };
}
