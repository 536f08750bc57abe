// One handler per implemented S3 operation; anything else answers NotImplemented like an S3 feature S3 lacks.
import { S3Error } from "./errors.js";
import type { RequestContext } from "./context.js";
import type { Operation } from "./router.js";
import type { S3Response } from "./response.js";
import * as buckets from "./handlers/buckets.js";
import * as objects from "./handlers/objects.js";
import * as multipart from "./handlers/multipart.js";
import { checkRequestRules } from "./request-rules.js";
import { checkProfileRules } from "./profile-rules.js";

type Handler = (ctx: RequestContext) => S3Response | Promise<S3Response>;

const HANDLERS: Partial<Record<Operation, Handler>> = {
  ListBuckets: buckets.listBuckets,
  CreateBucket: buckets.createBucket,
  HeadBucket: buckets.headBucket,
  DeleteBucket: buckets.deleteBucket,
  ListObjectsV2: buckets.listObjectsV2,
  ListObjects: buckets.listObjects,
  GetBucketVersioning: buckets.getBucketVersioning,
  PutBucketVersioning: buckets.putBucketVersioning,
  GetBucketLocation: buckets.getBucketLocation,
  GetBucketLifecycleConfiguration: buckets.getBucketLifecycle,
  PutBucketLifecycleConfiguration: buckets.putBucketLifecycle,
  DeleteBucketLifecycle: buckets.deleteBucketLifecycle,
  PutObject: objects.putObject,
  GetObject: objects.getObject,
  HeadObject: objects.headObject,
  DeleteObject: objects.deleteObject,
  GetObjectAttributes: objects.getObjectAttributes,
  CreateMultipartUpload: multipart.createMultipartUpload,
  UploadPart: multipart.uploadPart,
  ListParts: multipart.listParts,
  ListMultipartUploads: multipart.listMultipartUploads,
  CompleteMultipartUpload: multipart.completeMultipartUpload,
  AbortMultipartUpload: multipart.abortMultipartUpload,
};

export function dispatch(ctx: RequestContext): S3Response | Promise<S3Response> {
  const handler = HANDLERS[ctx.route.operation];
  if (!handler)
    throw new S3Error("NotImplemented", `This emulator does not implement ${ctx.route.operation}.`);
  checkProfileRules(ctx);
  checkRequestRules(ctx);
  return handler(ctx);
}
