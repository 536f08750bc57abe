// A client process for the broker suites: uploads FILE as KEY through BROKER_URL with BROKER_TOKEN, prints the
// result as JSON on stdout, or the error on stderr with exit code 1. Run with an environment without AWS_*.
import { uploadThroughBroker } from "../../src/broker/client.js";

const env = process.env;
try {
  const result = await uploadThroughBroker({
    brokerUrl: env.BROKER_URL!,
    token: () => Promise.resolve(env.BROKER_TOKEN!),
    path: env.FILE!,
    key: env.KEY!,
    partSize: Number(env.PART_SIZE),
    contentMd5: env.CONTENT_MD5 === "true",
  });
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 1;
}
