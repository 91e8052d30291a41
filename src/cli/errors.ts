// How a failed command ends: bad usage, bad input and unusable files are the user's to fix
// (one line, exit 2); anything else is a bug in mmsim (its stack, a request to report it,
// exit 1). Loaded only when a command has failed, so its imports cost nothing on success.

import { ConfigError } from '../run-config.js';
import { ScenarioError } from '../workload/scenario.js';
import { SizeError } from '../workload/size.js';
import { LogError } from '../log/format.js';
import { DesignListError } from '../compare/designs.js';
import { TraceError } from '../trace/errors.js';
import { CaptureError } from '../capture/capture.js';
import { fileErrorMessage, isFileSystemError } from './files.js';
import { UsageError } from './usage-error.js';

const USAGE_ERRORS = [UsageError, ScenarioError, ConfigError, SizeError, LogError, DesignListError, TraceError, CaptureError];

/** The message for an error the user can fix, or null for a bug. */
export function usageMessage(err: unknown): string | null {
  if (USAGE_ERRORS.some((C) => err instanceof C)) return (err as Error).message;
  if (isFileSystemError(err)) return fileErrorMessage(err);
  return null;
}

export function internalErrorMessage(err: unknown): string {
  return (
    `mmsim: internal error: this is a bug in mmsim, not in your input; please report it with the command line that ran and the text below\n` +
    `${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`
  );
}
