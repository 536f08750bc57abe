// Kept in step with package.json by test/unit/frontend-docs.test.ts; a JSON import would drag package.json into dist.
export const VERSION = "0.1.0";
