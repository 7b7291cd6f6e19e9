import { z } from 'zod';

// zod 4 compiles object parsers with `new Function` when it can; the renderer's Content-Security-Policy forbids
// eval, and probing for it logs a CSP violation. Imported first by main.ts, before any schema parses.
z.config({ jitless: true });
