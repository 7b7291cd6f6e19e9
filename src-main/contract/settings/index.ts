/** Every user-facing setting, declared once (see define.ts for what an entry holds and what derives from it). */
export * from './define.js';
export * from './training.js';
export * from './output.js';
export * from './map.js';
