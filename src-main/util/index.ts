export { writeFileAtomic, writeJsonAtomic } from './atomicWrite.js';
export { UserError, CancelledError, throwIfCancelled } from './errors.js';
