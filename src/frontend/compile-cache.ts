import module from "node:module";

/**
 * Node ≥ 22.1 can keep V8's compiled code of the modules loaded after this call (the bundle's chunks) on disk and
 * reuse it on the next start. The directory is Node's own choice, NODE_COMPILE_CACHE or
 * os.tmpdir()/node-compile-cache, and NODE_DISABLE_COMPILE_CACHE=1 turns it off. Node never throws here: on a
 * read-only or full file system the cache is simply not used. Node 20 has no compile cache; nothing happens.
 */
export function enableCompileCache(): void {
  const node = module as { enableCompileCache?: () => unknown };
  node.enableCompileCache?.();
}
