/**
 * The renderer's one door to the shared contract (src-main/contract): request and event types, the zod input
 * schemas the forms validate against, and `buildApi`. Nothing else in the renderer reaches into src-main.
 */
export * from '../../../src-main/contract/index.js';
