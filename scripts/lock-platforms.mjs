// Our npm registry serves only this platform's builds of packages with per-platform optional
// binaries (unrs-resolver, under jest), so `npm install` leaves the other platforms' entries out
// of package-lock.json and `npm ci` then refuses the lock as out of sync. This adds the missing
// entries (name, version, os, cpu, libc, optional): npm skips them on other platforms without
// fetching anything. Run it after any `npm install` that rewrites the lock.
import { readFileSync, writeFileSync } from 'node:fs';

const lockPath = 'package-lock.json';
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const packages = lock.packages;
let added = 0;
for (const [parentKey, parent] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(parent.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    const match =
      /-(android|darwin|freebsd|linux|openharmony|win32)-(arm64|arm|x64|ia32|loong64|ppc64|riscv64|s390x)(?:-(\w+))?$/.exec(
        name,
      );
    if (packages[key] || !match || !parentKey) continue;
    const [, os, cpu, abi = ''] = match;
    const entry = {
      version,
      cpu: [cpu],
      dev: parent.dev,
      license: parent.license,
      optional: true,
      os: [os],
    };
    if (abi.includes('musl')) entry.libc = ['musl'];
    else if (abi.includes('gnu')) entry.libc = ['glibc'];
    if (!entry.dev) delete entry.dev;
    packages[key] = entry;
    added++;
  }
}
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`lock-platforms: added ${added} entries`);
