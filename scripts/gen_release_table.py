#!/usr/bin/env python3
"""Generate ``src/pyhalyard/data/releases.yml`` from spinnaker.io's release changelogs.

Usage::

    python scripts/gen_release_table.py SOURCE [--mirrors DIR] [--output FILE] [--check]

SOURCE is either a git directory of github.com/spinnaker/spinnaker.io (a bare mirror
or a checkout: the changelogs are read from ``HEAD:content/en/changelogs``, and the
commit is recorded as the source of every fact) or a plain folder holding
``<version>-changelog.md`` files (directly or under ``content/en/changelogs``).

Why changelogs: Halyard's BOM bucket is no longer served, but every release since
1.27.1 has a changelog on spinnaker.io whose ``## [Service](#service) X.Y.Z`` headings
name the version each service shipped.  A patch release lists only the services it
changed, so a service keeps the version of the latest release in the same release line
that listed it; the table records, per service, which release's changelog that was.
Releases whose changelog only embeds a GitHub gist (1.19.0 to 1.27.0) carry no
versions in the source: they are listed with ``tags: none`` and the reason, so pyhalyard
knows the release exists and asks for its BOM instead of guessing.  From 2025.0.0 every
image is tagged with the release version (``tags: release``).

Public copies of Halyard's own BOMs and other public records of a release's images
(PUBLIC_BOMS: repository, commit, path, and a member when the file is an archive) fill
the releases the changelogs cannot.  Every source is checked against the changelogs
and against every other source where two speak of the same release and service; any
disagreement stops the script.  A release named by one complete source takes its
versions from the first such source (``bom``); the others that agree are listed in
``confirmedBy``.  A source naming only some services never makes a release usable:
the release stays ``tags: none`` and the versions known are kept, per service with
their source, in ``knownServices``/``knownFrom``.  Sources are read from git mirrors
under ``--mirrors DIR`` (``<owner>+<name>/repo`` or ``<owner>+<name>``, the layout of
the fetch tool); only the version numbers and the references reach the table.
The same records give the OPTIONAL artifacts (the monitoring daemon), which no
changelog names: a row lists one in ``optional``, with its source in ``optionalFrom``,
only where a record names its version, and records of a release must agree on it.

The output is deterministic: the same SOURCE always gives the same bytes, and
``--check`` exits 1 when FILE differs from what SOURCE gives.
"""

from __future__ import annotations

import argparse
import io
import itertools
import re
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

CHANGELOG_DIR = "content/en/changelogs"
SOURCE_REPOSITORY = "spinnaker/spinnaker.io"
FIRST_RELEASE = (1, 19, 0)
UNIFIED_TAGS_FROM = (2025, 0, 0)
SERVICES = ("clouddriver", "deck", "echo", "fiat", "front50", "gate", "igor", "kayenta",
            "orca", "rosco")
# Artifacts a Halyard BOM lists beside the services that a release needs only for some
# configurations (monitoring-daemon: the metricStores sidecar, image of the same name).
# Changelogs never name them, so only public BOM records give them; a row records one
# only where such a record names its version, and a release is usable without it.
OPTIONAL = ("monitoring-daemon",)
ARTIFACTS = SERVICES + OPTIONAL
# Halyard's BOM "dependencies" (Debian package versions, never image tags).  The
# release action that writes every BOM takes them as inputs with these defaults;
# the 1.31.2 sample BOM in the same folder's README carries the same values.
DEPENDENCIES = {"consul": "0.7.5", "redis": "2:2.8.4-2", "vault": "0.7.0"}
DEPENDENCIES_SOURCE = ("spinnaker/spinnaker@03a3c47177e3b06dd83a9581a8a82f7abfcf4cf5:"
                       ".github/actions/spinnaker-release/action.yml "
                       "(inputs dep-consul-version, dep-redis-version, dep-vault-version)")
REGISTRY_SOURCE = ("SPEC §5; spinnaker/spinnaker.io "
                   "content/en/changelogs/2026.0.0-changelog.md (Images: images move to GHCR "
                   "after 2026.0)")



@dataclass(frozen=True)
class PublicSource:
    """A file in a public repository that names the image versions of some releases."""

    repository: str
    commit: str
    path: str
    member: str | None = None  # the file inside the .zip/.tar.gz archive at ``path``
    kind: str = "bom"  # bom | gcloud-tags | compose-log (see read_public_boms)

    @property
    def reference(self) -> str:
        ref = f"{self.repository}@{self.commit}:{self.path}"
        return f"{ref}!{self.member}" if self.member else ref


# Public records of Halyard BOMs, the official one first (the first complete source of
# a release is the one its row names; the rest must agree and are listed as confirming).
PUBLIC_BOMS = (
    # Spinnaker's own one-off (April 2020) that copied every released image to GAR,
    # generated from the BOMs: each line tags <service>:<BOM version> with
    # spinnaker-<release>.  Covers 1.19.0 to 1.19.6 in this table.
    PublicSource("spinnaker/buildtool", "a5519ab48c9aa7ac062d9c0bcd19774bd157bbe0",
                 "one-offs/images-from-boms/migrate-containers.sh", kind="gcloud-tags"),
    # users' copies of Halyard's ~/.hal/.boms/bom/<version>.yml
    PublicSource("hbstarjason2021/spinnaker-install", "087b9f5463a9b65f88851ba804aace3a199178a5",
                 "bom_1_26_7.yaml"),
    PublicSource("zeyangli/spinnaker-cd-install", "0fe2bc78ff26b12ab026c7c596a7440b493fa47e",
                 "1.26.7-Install-Scripts.zip", "1.26.7/.boms/bom/1.26.7.yml"),
    PublicSource("hongfei0114/spinnaker-cd-install", "16e4a5773d72bb7d97fccc53d2c4615055ada069",
                 "updates/.boms/bom/1.19.4.yml"),
    PublicSource("zeyangli/spinnaker-cd-install", "a33e8a6c593a78bc725b066c8a4d3d5e995465a7",
                 "halyard-bom-install/bom-yaml-1.19.4.tar.gz", ".boms/bom/1.19.4.yml"),
    PublicSource("hongfei0114/spinnaker-cd-install", "16e4a5773d72bb7d97fccc53d2c4615055ada069",
                 "updates/.boms/bom/1.19.14.yml"),
    PublicSource("hongfei0114/spinnaker-cd-install", "16e4a5773d72bb7d97fccc53d2c4615055ada069",
                 "updates/bom-yaml-1.19.14.tar.gz", ".boms/bom/1.19.14.yml"),
    PublicSource("hbstarjason/spinnaker-auto-install", "d07402ed9730ecd3249bb13ad8954dc58ca4cc64",
                 "bom.yaml"),
    # a README quoting its tool's log for 1.26.6: nine services (no kayenta)
    PublicSource("alexlep/spin-brewery", "dcac1833e4c29c2690d59ea4a6aed5f83f0868a6",
                 "README.md", kind="compose-log"),
)

_FILE = re.compile(r"^(\d+)\.(\d+)\.(\d+)-changelog\.md$")
_HEADING = re.compile(r"^##\s+\[([A-Za-z0-9]+)\]\(#[A-Za-z0-9-]+\)\s+(\d+\.\d+\.\d+)\s*$")
_FRONT = re.compile(r"^(\w+):\s*(.*?)\s*$")

Version = tuple[int, int, int]


@dataclass
class Changelog:
    version: Version
    path: str
    date: str
    listed: dict[str, str] = field(default_factory=dict)
    gist: bool = False


def _text(version: Version) -> str:
    return ".".join(map(str, version))


def parse_changelog(name: str, text: str) -> Changelog:
    """One changelog: its front matter ``version``/``date`` and the service headings."""
    match = _FILE.match(Path(name).name)
    if not match:
        raise ValueError(f"{name}: not a <major>.<minor>.<patch>-changelog.md file")
    version = (int(match[1]), int(match[2]), int(match[3]))
    lines = text.splitlines()
    front: dict[str, str] = {}
    if lines and lines[0].strip() == "---":
        for line in lines[1:]:
            if line.strip() == "---":
                break
            found = _FRONT.match(line)
            if found:
                front[found[1]] = found[2].strip("'\"")
    declared = front.get("version")
    if declared is not None and declared != _text(version):
        raise ValueError(f"{name}: front matter says version {declared}")
    log = Changelog(version=version, path=name, date=front.get("date", "")[:10],
                    gist="gist.github.com" in text)
    for line in lines:
        heading = _HEADING.match(line)
        if heading is None:
            continue
        service = heading[1].lower()
        if service not in SERVICES:
            continue
        if service in log.listed and log.listed[service] != heading[2]:
            raise ValueError(f"{name}: {service} listed twice ({log.listed[service]}, "
                             f"{heading[2]})")
        log.listed[service] = heading[2]
    return log


# ------------------------------------------------------------------ reading SOURCE
def _git_dir(path: Path) -> Path | None:
    """The git directory of ``path`` (a bare mirror or a checkout), or None."""
    for candidate in (path / ".git", path):
        probe = subprocess.run(["git", "--git-dir", str(candidate), "rev-parse", "--verify",
                                "-q", "HEAD"], capture_output=True, check=False)
        if probe.returncode == 0:
            return candidate
    return None


def _git(gitdir: Path, *args: str, stdin: bytes | None = None) -> bytes:
    done = subprocess.run(["git", "--git-dir", str(gitdir), *args], input=stdin,
                          capture_output=True, check=True)
    return done.stdout


def read_source(source: Path) -> tuple[dict[str, str], str | None]:
    """``{relative path: text}`` of every release changelog, and the commit (git sources)."""
    gitdir = _git_dir(source) if source.is_dir() else None
    if gitdir is not None:
        commit = _git(gitdir, "rev-parse", "HEAD").decode().strip()
        names = [n for n in _git(gitdir, "ls-tree", "--name-only", "HEAD",
                                 CHANGELOG_DIR + "/").decode().splitlines()
                 if _FILE.match(Path(n).name)]
        # One `git cat-file --batch` for all files: hundreds of `git show` calls are slow.
        batch = _git(gitdir, "cat-file", "--batch",
                     stdin="".join(f"{commit}:{n}\n" for n in names).encode())
        texts: dict[str, str] = {}
        pos = 0
        for name in names:
            header_end = batch.index(b"\n", pos)
            size = int(batch[pos:header_end].split()[2])
            body = batch[header_end + 1:header_end + 1 + size]
            texts[name] = body.decode("utf-8")
            pos = header_end + 1 + size + 1
        return texts, commit
    folder = source / CHANGELOG_DIR if (source / CHANGELOG_DIR).is_dir() else source
    if not folder.is_dir():
        raise FileNotFoundError(f"{source}: neither a git directory nor a folder of changelogs")
    prefix = CHANGELOG_DIR + "/" if folder != source else ""
    return ({prefix + p.name: p.read_text(encoding="utf-8") for p in sorted(folder.iterdir())
             if _FILE.match(p.name)}, None)


# ------------------------------------------------------------------ public sources
@dataclass
class PublicBom:
    reference: str
    version: str
    services: dict[str, str]

    @property
    def complete(self) -> bool:
        """Every core service named (OPTIONAL artifacts never decide this)."""
        return all(s in self.services for s in SERVICES)


def parse_public_bom(reference: str, text: str) -> PublicBom:
    """The release and artifact versions of a Halyard BOM (``local:`` prefixes dropped)."""
    import yaml

    data = yaml.safe_load(text)
    if not isinstance(data, dict) or not isinstance(data.get("services"), dict):
        raise ValueError(f"{reference}: not a Halyard BOM (no services mapping)")
    services = {}
    for name, entry in data["services"].items():
        name = str(name).strip('"')
        if name in ARTIFACTS and isinstance(entry, dict) and entry.get("version"):
            version = str(entry["version"])
            services[name] = version.removeprefix("local:")
    missing = [s for s in SERVICES if s not in services]
    if missing:
        raise ValueError(f"{reference}: no version for {', '.join(missing)}")
    return PublicBom(reference, str(data.get("version", "")).removeprefix("local:"), services)


_ADD_TAG = re.compile(r"^gcloud container images add-tag\b")
_SOURCE_IMAGE = re.compile(r"^[a-z0-9.-]+(?:/[A-Za-z0-9._-]+)*/([a-z0-9-]+):([A-Za-z0-9._-]+)$")
_RELEASE_TAG = re.compile(r":spinnaker-(\d+\.\d+\.\d+)$")
_VARIANT = re.compile(r"-(?:slim|ubuntu|java8|java11)$")


def parse_tag_script(reference: str, text: str) -> list[PublicBom]:
    """Releases named by ``gcloud container images add-tag SRC DST...`` lines.

    Each line copies one image (``<registry>/<service>:<BOM version>[-<variant>]``) and
    gives it the tags of the releases whose BOM named it (``...:spinnaker-<release>``).
    The variant suffix is dropped: the BOM names the version without it.
    """
    found: dict[str, dict[str, str]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not _ADD_TAG.match(line.strip()):
            continue
        words = [w for w in line.split()[4:] if not w.startswith("-")]
        source = _SOURCE_IMAGE.match(words[0]) if words else None
        if source is None:
            raise ValueError(f"{reference}:{number}: no source image in an add-tag line")
        service, version = source[1], source[2]
        while _VARIANT.search(version):
            version = _VARIANT.sub("", version)
        if service not in ARTIFACTS:
            continue
        for word in words[1:]:
            tag = _RELEASE_TAG.search(word)
            if tag is None:
                continue
            known = found.setdefault(tag[1], {})
            if known.get(service, version) != version:
                raise ValueError(f"{reference}:{number}: {service} of {tag[1]} tagged from "
                                 f"both {known[service]} and {version}")
            known[service] = version
    return [PublicBom(reference, release, services) for release, services in found.items()]


_COMPOSE_RELEASE = re.compile(r"Generating docker compose for release (\d+\.\d+\.\d+):")
_COMPOSE_FOUND = re.compile(r"found ([a-z0-9]+) in BOM: ([A-Za-z0-9._-]+)\s*$")


def parse_compose_log(reference: str, text: str) -> list[PublicBom]:
    """A quoted spin-brewery log: one release line, then one ``found X in BOM: V`` each."""
    out: list[PublicBom] = []
    current: PublicBom | None = None
    for line in text.splitlines():
        release = _COMPOSE_RELEASE.search(line)
        if release is not None:
            current = PublicBom(reference, release[1], {})
            out.append(current)
            continue
        found = _COMPOSE_FOUND.search(line)
        if found is None:
            current = None  # the log block ended
        elif current is not None and found[1] in ARTIFACTS:
            current.services[found[1]] = found[2]
    return [bom for bom in out if bom.services]


def _archive_member(reference: str, data: bytes, path: str, member: str) -> bytes:
    try:
        if path.endswith(".zip"):
            return zipfile.ZipFile(io.BytesIO(data)).read(member)
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            handle = archive.extractfile(member)
            if handle is None:
                raise KeyError(member)
            return handle.read()
    except (KeyError, zipfile.BadZipFile, tarfile.TarError) as exc:
        raise ValueError(f"{reference}: cannot read the member ({exc})") from None


def parse_public_source(source: PublicSource, data: bytes) -> list[PublicBom]:
    """The releases one source names, from the bytes of its file."""
    if source.member is not None:
        data = _archive_member(source.reference, data, source.path, source.member)
    text = data.decode("utf-8")
    if source.kind == "bom":
        return [parse_public_bom(source.reference, text)]
    if source.kind == "gcloud-tags":
        return parse_tag_script(source.reference, text)
    if source.kind == "compose-log":
        return parse_compose_log(source.reference, text)
    raise ValueError(f"{source.reference}: unknown kind {source.kind!r}")


def read_public_boms(mirrors: Path | None,
                     sources: tuple[PublicSource, ...] = PUBLIC_BOMS) -> list[PublicBom]:
    if mirrors is None:
        return []
    out = []
    for source in sources:
        name = source.repository.replace("/", "+")
        gitdir = next((g for g in (_git_dir(mirrors / name / "repo"), _git_dir(mirrors / name))
                       if g is not None), None)
        if gitdir is None:
            raise FileNotFoundError(f"{mirrors}: no git mirror of {source.repository} "
                                    f"(expected {mirrors / name / 'repo'})")
        out.extend(parse_public_source(source, _git(gitdir, "show",
                                                    f"{source.commit}:{source.path}")))
    return out


def _group_public(boms: list[PublicBom]) -> dict[str, list[PublicBom]]:
    """Public records per release in the table's range, after checking they agree."""
    by_release: dict[str, list[PublicBom]] = {}
    for bom in boms:
        match = re.fullmatch(r"(\d+)\.(\d+)\.(\d+)", bom.version)
        if match is None:
            raise ValueError(f"{bom.reference}: release {bom.version!r} is not M.N.P")
        if (int(match[1]), int(match[2]), int(match[3])) < FIRST_RELEASE:
            continue  # older than the table
        by_release.setdefault(bom.version, []).append(bom)
    for version, group in by_release.items():
        for one, other in itertools.combinations(group, 2):
            differ = {s: (one.services[s], other.services[s]) for s in ARTIFACTS
                      if s in one.services and s in other.services
                      and one.services[s] != other.services[s]}
            if differ:
                raise ValueError(f"{one.reference} and {other.reference} disagree on "
                                 f"{version}: {differ}")
    return by_release


# ------------------------------------------------------------------ the table
def _optional(public: list[PublicBom], whole: PublicBom | None
              ) -> dict[str, PublicBom]:
    """Per OPTIONAL artifact, the record its version is taken from: the row's own BOM
    when it names one, else the first record that does (all agree, _group_public)."""
    out: dict[str, PublicBom] = {}
    for artifact in OPTIONAL:
        ordered = ([whole] if whole is not None else []) + public
        record = next((r for r in ordered if artifact in r.services), None)
        if record is not None:
            out[artifact] = record
    return out


def build(texts: dict[str, str], boms: list[PublicBom] | None = None
          ) -> list[dict[str, object]]:
    """Releases newest first; 1.x entries carry each service's version and where it came from."""
    by_release = _group_public(boms or [])
    logs = sorted((parse_changelog(name, text) for name, text in texts.items()),
                  key=lambda log: log.version)
    logs = [log for log in logs if log.version >= FIRST_RELEASE]
    out: list[dict[str, object]] = []
    carried: dict[tuple[int, int], dict[str, tuple[str, str]] | None] = {}
    for log in logs:
        entry: dict[str, object] = {"version": _text(log.version), "date": log.date,
                                    "changelog": log.path}
        if log.version >= UNIFIED_TAGS_FROM:
            entry["tags"] = "release"
            out.append(entry)
            continue
        line = log.version[:2]
        previous = carried.get(line)
        if log.version[2] == 0 or previous is None:
            previous = {} if log.listed else None
        current = None if previous is None else dict(previous)
        if current is not None or log.listed:
            current = current or {}
            for service, version in log.listed.items():
                current[service] = (version, _text(log.version))
        complete = current is not None and all(s in current for s in SERVICES)
        carried[line] = current if complete or log.listed else None
        public = by_release.pop(_text(log.version), [])
        for record in public:
            differ = {s: (current[s][0], record.services[s]) for s in SERVICES
                      if current is not None and s in current and s in record.services
                      and current[s][0] != record.services[s]}
            if differ:
                raise ValueError(f"{record.reference} disagrees with the changelogs of "
                                 f"{_text(log.version)}: {differ}")
        whole = next((record for record in public if record.complete), None)
        if whole is not None and not complete:
            entry["tags"] = "bom"
            entry["services"] = {s: whole.services[s] for s in SERVICES}
            entry["bom"] = whole.reference
            others = [record.reference for record in public if record is not whole]
            if others:
                entry["confirmedBy"] = others
        elif complete and current is not None:
            entry["tags"] = "bom"
            entry["services"] = {s: current[s][0] for s in SERVICES}
            entry["listedIn"] = {s: current[s][1] for s in SERVICES}
        else:
            entry["tags"] = "none"
            if log.gist and not log.listed:
                entry["missing"] = ("the changelog only embeds a GitHub gist; no service "
                                    "versions in the source")
            else:
                absent = [s for s in SERVICES if current is None or s not in current]
                entry["missing"] = ("no changelog of this release line lists "
                                    + ", ".join(absent))
            known: dict[str, PublicBom] = {}  # service -> the first source naming it
            for record in public:
                for service in SERVICES:
                    if service in record.services:
                        known.setdefault(service, record)
            if known:
                absent = [s for s in SERVICES if s not in known]
                entry["missing"] = (f"{entry['missing']}; public records name only "
                                    f"{len(known)} of {len(SERVICES)} services (not "
                                    f"{', '.join(absent)}), too few to deploy")
                entry["knownServices"] = {s: known[s].services[s] for s in SERVICES
                                          if s in known}
                entry["knownFrom"] = {s: known[s].reference for s in SERVICES if s in known}
        optional = _optional(public, whole)
        if optional:
            entry["optional"] = {a: record.services[a] for a, record in optional.items()}
            entry["optionalFrom"] = {a: record.reference for a, record in optional.items()}
        out.append(entry)
    if by_release:
        raise ValueError("public BOMs of releases without a changelog: "
                         + ", ".join(sorted(by_release)))
    out.reverse()
    return out


def _scalar(value: object) -> str:
    text = str(value)
    # plain only when YAML cannot read it as anything but this string (no numbers,
    # dates or booleans: those start with a digit or are a YAML keyword)
    if re.fullmatch(r"[A-Za-z][A-Za-z0-9._/-]*", text) and not re.fullmatch(
            r"true|false|null|yes|no|on|off|y|n", text, re.IGNORECASE):
        return text
    return "'" + text.replace("'", "''") + "'"


def render(releases: list[dict[str, object]], commit: str | None) -> str:
    """YAML in a fixed layout (one fact per line), so diffs of the table read well."""
    out = [
        "# Spinnaker releases and the image tag of each service.",
        "# GENERATED by scripts/gen_release_table.py from spinnaker.io's changelogs; do not",
        "# edit by hand: re-run the script (a test checks this file equals its output).",
        "source:",
        f"  repository: {SOURCE_REPOSITORY}",
        f"  commit: {_scalar(commit or 'unknown')}",
        f"  path: {CHANGELOG_DIR}",
        "  rule: >-",
        "    a service's version is the one in the heading '## [Service](#service) X.Y.Z'",
        "    of the latest changelog in its release line (M.N.x) that lists it;",
        "    listedIn names that release; optional artifacts (monitoring-daemon) are",
        "    never in a changelog: only a public BOM record named in optionalFrom gives one.",
        "registries:",
        "  legacy: us-docker.pkg.dev/spinnaker-community/docker",
        "  legacyThrough: '2026.0'",
        "  ghcr: ghcr.io/spinnaker",
        f"  source: {_scalar(REGISTRY_SOURCE)}",
        "dependencies:",
        *(f"  {name}: {_scalar(version)}" for name, version in DEPENDENCIES.items()),
        f"dependenciesSource: {_scalar(DEPENDENCIES_SOURCE)}",
        "releases:",
    ]
    for entry in releases:
        out.append(f"- version: {_scalar(entry['version'])}")
        for key in ("date", "changelog", "tags", "missing", "bom"):
            if key in entry:
                out.append(f"  {key}: {_scalar(entry[key])}")
        if "confirmedBy" in entry:
            value = entry["confirmedBy"]
            assert isinstance(value, list)
            out.append("  confirmedBy:")
            out.extend(f"  - {_scalar(v)}" for v in value)
        for key in ("services", "listedIn", "knownServices", "knownFrom", "optional",
                    "optionalFrom"):
            if key in entry:
                value = entry[key]
                assert isinstance(value, dict)
                out.append(f"  {key}:")
                out.extend(f"    {s}: {_scalar(v)}" for s, v in value.items())
    return "\n".join(out) + "\n"


def generate(source: Path, mirrors: Path | None = None) -> str:
    texts, commit = read_source(source)
    return render(build(texts, read_public_boms(mirrors)), commit)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("source", type=Path,
                        help="spinnaker.io git dir, or a folder of <version>-changelog.md")
    parser.add_argument("--mirrors", type=Path,
                        help="folder of git mirrors holding PUBLIC_BOMS (<owner>+<name>/repo)")
    parser.add_argument("--output", type=Path,
                        default=Path(__file__).resolve().parent.parent
                        / "src/pyhalyard/data/releases.yml")
    parser.add_argument("--check", action="store_true",
                        help="exit 1 if OUTPUT differs from what SOURCE gives")
    args = parser.parse_args(argv)
    try:
        text = generate(args.source, args.mirrors)
    except (OSError, ValueError, subprocess.CalledProcessError) as exc:  # one line, no trace
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is out of date: re-run {Path(__file__).name}",
                  file=sys.stderr)
            return 1
        return 0
    args.output.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
