// The viewer's bisect, off the server's thread: opens the log itself and posts one answer.

import { parentPort, workerData } from 'node:worker_threads';
import '../designs/registry.js';
import { LogReader } from '../log/reader.js';
import { Timeline } from '../timetravel/timeline.js';
import { bisectAnswer, type BisectStatus } from './bisect-job.js';

const { path } = workerData as { path: string };
let answer: BisectStatus;
try {
  const log = new LogReader(path);
  answer = bisectAnswer(new Timeline(log));
  log.close();
} catch (err) {
  answer = { state: 'failed', error: (err as Error).message };
}
parentPort!.postMessage(answer);
