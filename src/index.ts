/** Entry of the main action: all the work is in main.ts, the failure path in runner/. */
import { runEntry } from './runner/failure.js';
import { run } from './main.js';

await runEntry(run);
