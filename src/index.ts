/** Entry of the main action: all the work is in main.ts. */
import { run } from './main.js';

await run();
