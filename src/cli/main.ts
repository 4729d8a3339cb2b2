/**
 * The built CLI's entry (bin/run.js imports it from dist/cli.js). It is bundled with oclif and every
 * command into one module graph, so that starting a command reads a few files instead of resolving and
 * loading hundreds of small modules.
 */
import { execute } from '@oclif/core';
import { installCrashHandlers } from './bug-report.js';
import { installDefaultStopSignals } from './stop-signals.js';

export async function main(binUrl: string): Promise<void> {
  installCrashHandlers();
  installDefaultStopSignals();
  await execute({ dir: binUrl });
}
