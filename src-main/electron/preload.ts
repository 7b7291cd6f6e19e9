/**
 * The preload of the main window. Sandboxed preloads can load neither ES modules nor other files, so
 * vite.preload.config.ts bundles this file and what it imports into out/preload/preload.cjs.
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createExposedGlobals, exposeGlobals } from './bridge.js';

exposeGlobals(contextBridge, createExposedGlobals(ipcRenderer, webUtils));
