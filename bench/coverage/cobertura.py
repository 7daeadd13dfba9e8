"""Writes Cobertura XML reports of the data generate.py wrote, for bench/coverage/run.mjs:
xml/full.xml, coverage.py's own `coverage xml` of the 64 shards combined (their runner roots
mapped to the local project), and xml/shards/shardN.xml, one report per shard data file with the
shard's runner root as <source>, as pytest-cov --cov-report=xml would write it on that runner.

usage: python cobertura.py DIR   (the python with coverage installed; after generate.py)
"""
import os
import sys

from coverage import Coverage, CoverageData

out = sys.argv[1]
project = os.path.join(out, "project")
data_dir = os.path.join(out, "data")
xml_dir = os.path.join(out, "xml", "shards")
os.makedirs(xml_dir, exist_ok=True)
roots = ["/home/runner/work/proj/proj/", "/Users/runner/work/proj/proj/", "/opt/actions-runner/_work/proj/proj/"]


def local(path):
    for root in roots:
        if path.startswith(root):
            return os.path.join(project, path[len(root):])
    return path


statements = {}


def statements_of(rel):
    # The generated modules have no blank-line statements: every non-blank line is one.
    if rel not in statements:
        with open(os.path.join(project, "src", rel)) as fh:
            statements[rel] = [n for n, text in enumerate(fh.read().split("\n"), 1) if text.strip()]
    return statements[rel]


combined_path = os.path.join(out, "xml", ".coverage.combined")
if os.path.exists(combined_path):
    os.remove(combined_path)
combined = CoverageData(basename=combined_path)
for n, name in enumerate(sorted(os.listdir(data_dir)), 1):
    data = CoverageData(basename=os.path.join(data_dir, name))
    data.read()
    files = sorted(data.measured_files())
    combined.add_lines({local(f): data.lines(f) for f in files})
    root = next(r for r in roots if files[0].startswith(r))
    with open(os.path.join(xml_dir, f"shard{n}.xml"), "w") as fh:
        fh.write('<?xml version="1.0" ?>\n<coverage version="7.0" line-rate="0">\n')
        fh.write(f"\t<sources>\n\t\t<source>{root}src</source>\n\t</sources>\n\t<packages>\n")
        fh.write('\t\t<package name="app"><classes>\n')
        for f in files:
            rel = f[len(root) + len("src/"):]
            ran = set(data.lines(f))
            fh.write(f'\t\t\t<class name="{os.path.basename(rel)}" filename="{rel}" line-rate="0"><methods/><lines>\n')
            for line in statements_of(rel):
                fh.write(f'\t\t\t\t<line number="{line}" hits="{1 if line in ran else 0}"/>\n')
            fh.write("\t\t\t</lines></class>\n")
        fh.write("\t\t</classes></package>\n\t</packages>\n</coverage>\n")
combined.write()
os.chdir(project)
cov = Coverage(data_file=combined.data_filename(), config_file=False)
cov.load()
cov.xml_report(outfile=os.path.join(out, "xml", "full.xml"))
