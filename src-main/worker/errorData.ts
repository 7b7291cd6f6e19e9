/** How an error crosses to and from a job worker: the shared codec of util/errorData.ts. */
export { fromErrorData, toErrorData, type ErrorData } from '../util/errorData.js';
