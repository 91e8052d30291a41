// Sweeps at scale: many runs (scenarios x memory sizes x designs x seeds) as jobs with
// deterministic ids, results streamed to a JSONL file that a re-run resumes from, run on this
// machine's cores (local.ts) or on a BullMQ queue that workers on any machine serve (queue.ts).
// `mmsim sweep report` aggregates the file (report.ts). Nothing here reads argv.

export { codeFingerprint, sweepVersion } from './fingerprint.js';
export { DEFAULT_GRID, expandGrid, parseList, parseSeeds, readSpec, SweepError, type Grid } from './grid.js';
export { jobId, makeJob, memLabel, toDesignJob, toLine, type PreparedJob, type RunReport, type SweepJob, type SweepLine } from './job.js';
export { runLocal, type LocalOptions } from './local.js';
export { planSweep, type RunFailure, type SweepOutcome, type SweepPlan } from './plan.js';
export { ProgressLine, progressLine, formatEta } from './progress.js';
export { readResults, ResultMismatchError, ResultsWriter } from './store.js';
