"""Collect the drop-in corpus (tests/dropin/manifest.toml) into a local directory.

The scripts are other people's code: they are read from local git clones or downloaded from
GitHub at the exact commit the manifest names, and written to

    <dest>/<owner>+<name>/<commit>/<path>

where ``dest`` is ``$MINIGRAD_DROPIN_CORPUS``. Nothing here is ever committed.

    python tests/dropin/collect.py --clones /path/to/clones   # owner+name/ or owner/name/ git dirs
    python tests/dropin/collect.py --download                 # from raw.githubusercontent.com

Files already present are left alone, so a corpus can be filled from several sources.
"""
import argparse
import subprocess
import sys
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus_manifest import corpus_dir, load_manifest  # noqa: E402


def wanted_files(entries):
    """Every (repo, commit, path) the corpus needs: scripts, their helper files and data."""
    seen = set()
    for e in entries:
        items = [(e["repo"], e["commit"], e["path"])]
        items += [(e["repo"], e["commit"], f["path"]) for f in e.get("files", [])]
        items += [(d["repo"], d["commit"], d["path"]) for d in e.get("data", [])]
        for item in items:
            if item not in seen:
                seen.add(item)
                yield item


def local_path(dest, repo, commit, path):
    return Path(dest) / repo.replace("/", "+") / commit / path


def _git_dirs(clones, repo):
    owner, name = repo.split("/")
    for candidate in (Path(clones) / f"{owner}+{name}", Path(clones) / owner / name):
        for git_dir in (candidate / "repo", candidate / ".git", candidate):
            if (git_dir / "HEAD").exists():
                yield git_dir


def from_clone(clones, repo, commit, path):
    for git_dir in _git_dirs(clones, repo):
        out = subprocess.run(["git", "--git-dir", str(git_dir), "show", f"{commit}:{path}"],
                             capture_output=True)
        if out.returncode == 0:
            return out.stdout
    return None


def from_github(repo, commit, path):
    url = f"https://raw.githubusercontent.com/{repo}/{commit}/{path}"
    with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (fixed host)
        return response.read()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clones", help="directory holding git clones of the repositories")
    parser.add_argument("--download", action="store_true", help="download missing files from GitHub")
    parser.add_argument("--dest", default=None, help="corpus directory (default $MINIGRAD_DROPIN_CORPUS)")
    args = parser.parse_args(argv)
    dest = args.dest or corpus_dir()
    if dest is None:
        parser.error("set MINIGRAD_DROPIN_CORPUS or pass --dest")
    missing = []
    for repo, commit, path in wanted_files(load_manifest()):
        target = local_path(dest, repo, commit, path)
        if target.exists():
            continue
        data = from_clone(args.clones, repo, commit, path) if args.clones else None
        if data is None and args.download:
            try:
                data = from_github(repo, commit, path)
            except OSError as e:
                print(f"download failed for {repo}@{commit[:8]}:{path}: {e}", file=sys.stderr)
        if data is None:
            missing.append(f"{repo}@{commit[:8]}:{path}")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        print(f"collected {repo}@{commit[:8]}:{path}")
    for m in missing:
        print(f"missing: {m}", file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
