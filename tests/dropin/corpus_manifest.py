"""Reading tests/dropin/manifest.toml and locating the local corpus directory."""
import os
import tomllib
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENV_VAR = "MINIGRAD_DROPIN_CORPUS"


def load_manifest(path=HERE / "manifest.toml"):
    """The manifest's [[script]] entries, in order, with defaults filled in."""
    with open(path, "rb") as f:
        entries = tomllib.load(f)["script"]
    ids = [e["id"] for e in entries]
    if len(set(ids)) != len(ids):
        raise ValueError(f"manifest: duplicate ids {sorted({i for i in ids if ids.count(i) > 1})}")
    for e in entries:
        e.setdefault("kind", "script")
        e.setdefault("args", [])
        e.setdefault("files", [])
        e.setdefault("data", [])
        e.setdefault("setup", [])
        e.setdefault("substitute", [])
        e.setdefault("ignore", [])
        e.setdefault("call", [])
        e.setdefault("timeout", 600)
    return entries


def corpus_dir():
    """The corpus directory from ``$MINIGRAD_DROPIN_CORPUS``, or None when unset."""
    value = os.environ.get(ENV_VAR)
    return Path(value) if value else None


def source_path(corpus, repo, commit, path):
    return Path(corpus) / repo.replace("/", "+") / commit / path
