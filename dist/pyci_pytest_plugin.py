"""The pyci action's pytest plugin, loaded with `-p pyci_pytest_plugin`; it never touches the
user's arguments. Each hook acts only when the action set its environment variable:

- PYCI_ROOTDIR_FILE: write pytest's rootdir there (JUnit paths are relative to it);
- PYCI_SHARD_IDS: deselect every collected item whose node id is not listed there (one JSON
  string per line: a node id may contain any character);
- PYCI_COLLECT_FILE: write there the node id of every item pytest would run, one JSON string
  per line;
- PYCI_FAILED_FILE: write there the node id of every test that failed or errored (in setup,
  call or teardown), once each, one JSON string per line: the ids reruns run again.

Run as a script (`python pyci_pytest_plugin.py merge OUT FIRST RERUN...`), it merges the JUnit
reports of a run and its reruns (see merge_reruns).
"""
import json
import os
import sys
import xml.etree.ElementTree as ET

_failed = set()


def pytest_configure(config):
    path = os.environ.get("PYCI_ROOTDIR_FILE")
    if path:
        root = getattr(config, "rootpath", None) or config.rootdir
        with open(path, "w", encoding="utf-8") as handle:
            handle.write(str(root))


def pytest_collection_modifyitems(config, items):
    path = os.environ.get("PYCI_SHARD_IDS")
    if not path:
        return
    with open(path, encoding="utf-8") as handle:
        keep = set(json.loads(line) for line in handle if line.strip())
    selected = [item for item in items if item.nodeid in keep]
    deselected = [item for item in items if item.nodeid not in keep]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def pytest_collection_finish(session):
    path = os.environ.get("PYCI_COLLECT_FILE")
    if path:
        with open(path, "w", encoding="utf-8") as handle:
            for item in session.items:
                handle.write(json.dumps(item.nodeid) + "\n")


def pytest_runtest_logreport(report):
    path = os.environ.get("PYCI_FAILED_FILE")
    if path and report.failed and report.nodeid not in _failed:
        _failed.add(report.nodeid)
        with open(path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(report.nodeid) + "\n")


def _key(case):
    return (case.get("classname"), case.get("name"), case.get("file"))


def _failing(case):
    return case.find("failure") is not None or case.find("error") is not None


def merge_reruns(out, first, reruns):
    """The first report, each test that passed on a rerun replaced by its passing run.

    A test is matched by its JUnit identity (classname, name, file). Its elements in the first
    report (pytest may write two) are dropped, and the elements of the rerun where it passed are
    added, marked with a property `pyci-rerun` = the round, in a suite of that name.
    """
    tree = ET.parse(first)
    root = tree.getroot()
    if root.tag == "testsuite":
        wrapper = ET.Element("testsuites")
        wrapper.append(root)
        tree = ET.ElementTree(wrapper)
        root = wrapper
    passed_later = {}
    for round_number, path in enumerate(reruns, 1):
        cases = list(ET.parse(path).getroot().iter("testcase"))
        failing = {_key(case) for case in cases if _failing(case)}
        for case in cases:
            key = _key(case)
            if key not in failing and key not in passed_later:
                passed_later[key] = round_number
        for case in cases:
            if passed_later.get(_key(case)) == round_number:
                props = ET.SubElement(case, "properties")
                ET.SubElement(props, "property", name="pyci-rerun", value=str(round_number))
        suite = ET.SubElement(root, "testsuite", name=f"pyci-rerun-{round_number}")
        suite.extend(case for case in cases if passed_later.get(_key(case)) == round_number)
    for parent in list(root.iter()):
        for case in [c for c in parent if c.tag == "testcase"]:
            if _key(case) in passed_later and case.find("properties/property[@name='pyci-rerun']") is None:
                parent.remove(case)
    tree.write(out, encoding="utf-8", xml_declaration=True)


if __name__ == "__main__" and len(sys.argv) >= 4 and sys.argv[1] == "merge":
    merge_reruns(sys.argv[2], sys.argv[3], sys.argv[4:])
