export { writeFileAtomic, writeJsonAtomic } from './atomicWrite.js';
export { UserError, CancelledError, throwIfCancelled } from './errors.js';
export { findPackage, type PackageInfo } from './packageInfo.js';
