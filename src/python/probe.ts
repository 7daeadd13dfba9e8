/**
 * Asking an interpreter what it is: one `python -c` run printing JSON (captureProgram: argv
 * array, no shell). The script is fixed text; nothing from the user goes into it.
 */
import { dirname } from 'node:path';
import { captureProgram } from '../runner/exec.js';
import { normalizeArchitecture } from './inputs.js';
import { normalizeVersion } from './spec.js';

// Runs on Python 2.7 too (a PATH `python` may be one), so it can be listed as available.
const PROBE_SCRIPT = [
  'import json, platform, struct, sys',
  'v = sys.version_info',
  'print(json.dumps({"version": "%d.%d.%d%s" % (v[0], v[1], v[2], "" if v[3] == "final" else {"alpha": "a", "beta": "b", "candidate": "rc"}[v[3]] + str(v[4])),',
  '  "prefix": sys.prefix, "base_prefix": getattr(sys, "base_prefix", sys.prefix),',
  '  "executable": sys.executable, "implementation": platform.python_implementation(),',
  '  "machine": platform.machine(), "bits": struct.calcsize("P") * 8}))',
].join('\n');

export interface ProbeResult {
  /** Canonical version. */
  version: string;
  prefix: string;
  /** Differs from prefix inside a virtualenv. */
  basePrefix: string;
  implementation: string;
  /** Tool cache spelling (x64, arm64, ...), or the raw machine name when unknown. */
  architecture: string;
}

function architectureOf(machine: string, bits: number): string {
  let arch: string;
  try {
    arch = normalizeArchitecture(machine);
  } catch {
    return machine.toLowerCase();
  }
  // A 32-bit build on a 64-bit machine.
  if (bits === 32 && arch === 'x64') return 'x86';
  if (bits === 32 && arch === 'arm64') return 'arm';
  return arch;
}

/** Parses the probe's output; undefined when it is not what the probe prints. */
export function parseProbeOutput(stdout: string): ProbeResult | undefined {
  let data: Record<string, unknown>;
  try {
    data = JSON.parse(stdout.trim()) as Record<string, unknown>;
  } catch {
    return undefined;
  }
  const version = typeof data.version === 'string' ? normalizeVersion(data.version) : undefined;
  if (!version || typeof data.prefix !== 'string') return undefined;
  return {
    version,
    prefix: data.prefix,
    basePrefix: typeof data.base_prefix === 'string' ? data.base_prefix : data.prefix,
    implementation: typeof data.implementation === 'string' ? data.implementation : '',
    architecture: architectureOf(
      typeof data.machine === 'string' ? data.machine : '',
      Number(data.bits ?? 64),
    ),
  };
}

/** Runs the probe once; undefined when the interpreter does not run or answers nonsense. */
export async function probeInterpreter(
  executable: string,
  timeoutMs = 15000,
): Promise<ProbeResult | undefined> {
  // -E -s (not -I, which Python 2 lacks): PYTHON* variables and user site-packages cannot change
  // the answer; cwd is the interpreter's own folder so a stray json.py in the project cannot either.
  try {
    const result = await captureProgram(executable, ['-E', '-s', '-c', PROBE_SCRIPT], {
      timeoutMs,
      cwd: dirname(executable),
    });
    if (result.exitCode !== 0 || result.timedOut || result.overflowed) return undefined;
    return parseProbeOutput(result.stdout);
  } catch {
    return undefined; // it cannot be started
  }
}
