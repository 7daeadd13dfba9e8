"""Writes a 2,000-file project and 64 shard data files of it, as shards on 3 kinds of runners
would record them (other checkout roots), for bench/coverage/run.mjs. Seeded: same bytes each run.

usage: python generate.py DIR [FILES] [SHARDS]   (run with a python that has coverage installed)
"""
import os
import random
import sys

from coverage import CoverageData

out = sys.argv[1]
n_files = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
n_shards = int(sys.argv[3]) if len(sys.argv) > 3 else 64
rng = random.Random(11)
project = os.path.join(out, "project")
lines_per_file = []
for i in range(n_files):
    path = os.path.join(project, "src", "app", f"pkg{i // 100}", f"mod{i}.py")
    os.makedirs(os.path.dirname(path), exist_ok=True)
    body = []
    for f in range(rng.randint(5, 40)):
        body += [f"def f{f}(x):", "    y = x + 1", "    if y > 2:", "        return y * 2", "    return y", ""]
    with open(path, "w") as fh:
        fh.write("\n".join(body))
    lines_per_file.append([n for n, text in enumerate(body, 1) if text.strip()])
for d, _, files in os.walk(os.path.join(project, "src", "app")):
    open(os.path.join(d, "__init__.py"), "a").close()

roots = ["/home/runner/work/proj/proj/", "/Users/runner/work/proj/proj/", "/opt/actions-runner/_work/proj/proj/"]
data_dir = os.path.join(out, "data")
os.makedirs(data_dir, exist_ok=True)
for shard in range(n_shards):
    root = roots[shard % len(roots)]
    data = CoverageData(basename=os.path.join(data_dir, f".coverage.{shard + 1}of{n_shards}.{shard:08x}"))
    measured = {}
    for i, lines in enumerate(lines_per_file):
        # Every shard imports every module (its defs run); the shard that holds a module's tests
        # runs about 70% of its bodies, the others a few lines.
        share = 0.7 if i % n_shards == shard else 0.02
        ran = [n for n in lines if n % 6 == 1 or rng.random() < share]
        measured[f"{root}src/app/pkg{i // 100}/mod{i}.py"] = ran
    data.add_lines(measured)
    data.write()
print(project)
