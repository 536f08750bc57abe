// A private CA and a server certificate it signed, made with openssl in the caller's temp dir, as a company
// runs its own S3-compatible store: nothing here is in Node's trusted roots.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

export interface PrivateCa {
  /** PEM file of the CA certificate: what AWS_CA_BUNDLE points to. */
  caFile: string;
  /** The server's key and certificate (PEM), for the emulator's tls option. */
  server: { key: string; cert: string };
}

const OPENSSL = "/usr/bin/openssl";

function openssl(dir: string, args: string[]): void {
  execFileSync(OPENSSL, args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

/** `names`: the server certificate's subjectAltNames, e.g. ["IP:127.0.0.1", "DNS:s3.example.invalid"]. */
export function makePrivateCa(dir: string, names: string[]): PrivateCa {
  const file = (name: string): string => path.join(dir, name);
  openssl(dir, [
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.pem"),
    "-days",
    "2",
    "-subj",
    "/CN=s3vu test private CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  openssl(dir, [
    "req",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    file("server.key"),
    "-out",
    file("server.csr"),
    "-subj",
    "/CN=s3vu test store",
  ]);
  writeFileSync(
    file("server.ext"),
    `subjectAltName=${names.join(",")}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`,
  );
  openssl(dir, [
    "x509",
    "-req",
    "-in",
    file("server.csr"),
    "-CA",
    file("ca.pem"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-out",
    file("server.pem"),
    "-days",
    "2",
    "-extfile",
    file("server.ext"),
  ]);
  return {
    caFile: file("ca.pem"),
    server: { key: readFileSync(file("server.key"), "utf8"), cert: readFileSync(file("server.pem"), "utf8") },
  };
}
