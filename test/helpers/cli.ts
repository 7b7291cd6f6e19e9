import { PassThrough } from 'node:stream';
import { main } from '../../src-main/cli/index.js';

/** What `vae-studio` printed and returned, run in this process. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `vae-studio <argv>` in this process (src-main, no build needed) and collects its output. */
export async function runCli(argv: string[]): Promise<CliRun> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d: Buffer) => (stdout += d.toString()));
  err.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await main(argv, { stdout: out, stderr: err });
  return { code, stdout, stderr };
}
