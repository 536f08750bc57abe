// The engine's only door into checksums: per-part hashing, S3's algorithm rules, and whole-object values.
export type { PartHasher } from "./part-hasher.js";
export { createPartHasher, createMd5Hasher, createSha256Hasher, md5 } from "./part-hasher.js";
export type { WholePartDigests } from "./whole-part.js";
export { digestWholePart, prepareWholePartHashing } from "./whole-part.js";
export type { FullObjectAlgorithm, SdkChecksumField } from "./algorithms.js";
export {
  AMZ_CHECKSUM_ALGORITHMS,
  checksumHeaderName,
  checksumTypeAllowed,
  defaultChecksumType,
  digestLength,
  isFullObjectAlgorithm,
  isStoreComputed,
  sdkChecksumField,
} from "./algorithms.js";
export { combineFullObject } from "./crc-combine.js";
export { compositeChecksum } from "./composite.js";
export { objectChecksum } from "./object-checksum.js";
export { crc64EcmaFromHeader, crc64EcmaHeaderValue } from "./crc64xz.js";
