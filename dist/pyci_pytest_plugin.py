"""The pyci action's pytest plugin, loaded with `-p pyci_pytest_plugin`; it never touches the
user's arguments. Each hook acts only when the action set its environment variable:

- PYCI_ROOTDIR_FILE: write pytest's rootdir there (JUnit paths are relative to it);
- PYCI_SHARD_IDS: deselect every collected item whose node id is not listed there (one JSON
  string per line: a node id may contain any character);
- PYCI_COLLECT_FILE: write there the node id of every item pytest would run, one JSON string
  per line.
"""
import json
import os


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
