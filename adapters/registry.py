"""The versioned adapter registry: `adapters/registry/NAME/VERSION/` holding PEFT files and
`manifest.json`. Only registry entries can be resolved: a reference is `NAME@VERSION` (or
`NAME` for the latest), never a path."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from adapters.manifest import (
    CONFIG_FILE,
    WEIGHTS_FILE,
    Manifest,
    ManifestError,
    read_manifest,
    sha256_file,
)

REGISTRY_ROOT = Path(__file__).resolve().parent / "registry"
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
VERSION_RE = re.compile(r"^[1-9][0-9]{0,5}$")


class RegistryError(Exception):
    """Base class: anything that keeps a registry entry from being used."""


class InvalidReferenceError(RegistryError):
    """The reference is not of the form NAME@VERSION (paths and traversal are refused)."""


class AdapterNotFoundError(RegistryError):
    """No such name or version in the registry."""


class IntegrityError(RegistryError):
    """Files are missing or the weights' sha256 does not match the manifest."""


@dataclass(frozen=True)
class RegistryEntry:
    name: str
    version: str
    path: Path
    manifest: Manifest

    @property
    def ref(self) -> str:
        return f"{self.name}@{self.version}"


def parse_ref(ref: str) -> tuple[str, str | None]:
    """`NAME@VERSION` -> (NAME, VERSION); `NAME` -> (NAME, None). Raises InvalidReferenceError."""
    if not isinstance(ref, str) or ref.count("@") > 1:
        raise InvalidReferenceError(f"invalid adapter reference {ref!r}: expected NAME@VERSION")
    name, _, version = ref.strip().partition("@")
    if not NAME_RE.match(name):
        raise InvalidReferenceError(
            f"invalid adapter name {name!r}: lowercase letters, digits, '-' and '_' only"
        )
    if version and not VERSION_RE.match(version):
        raise InvalidReferenceError(f"invalid adapter version {version!r}: a positive integer")
    return name, version or None


class Registry:
    def __init__(self, root: Path = REGISTRY_ROOT) -> None:
        self.root = Path(root)

    def _dir(self, name: str, version: str) -> Path:
        path = (self.root / name / version).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise InvalidReferenceError(f"{name}@{version} points outside the registry")
        return path

    def names(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and NAME_RE.match(p.name))

    def versions(self, name: str) -> list[str]:
        folder = self.root / name
        if not NAME_RE.match(name) or not folder.is_dir():
            return []
        found = [p.name for p in folder.iterdir() if p.is_dir() and VERSION_RE.match(p.name)]
        return sorted(found, key=int)

    def next_version(self, name: str) -> str:
        versions = self.versions(name)
        return str(int(versions[-1]) + 1) if versions else "1"

    def list(self) -> list[RegistryEntry]:
        """Every readable entry (entries with a broken manifest are left out)."""
        out = []
        for name in self.names():
            for version in self.versions(name):
                try:
                    out.append(self.resolve(f"{name}@{version}"))
                except RegistryError:
                    continue
        return out

    def resolve(self, ref: str) -> RegistryEntry:
        """The entry for `NAME@VERSION` (`NAME` alone: its latest version)."""
        name, version = parse_ref(ref)
        if version is None:
            versions = self.versions(name)
            if not versions:
                raise AdapterNotFoundError(f"no adapter named {name!r} in the registry")
            version = versions[-1]
        path = self._dir(name, version)
        if not path.is_dir():
            known = ", ".join(self.versions(name)) or "none"
            raise AdapterNotFoundError(
                f"{name}@{version} is not in the registry (versions: {known})"
            )
        try:
            manifest = read_manifest(path)
        except ManifestError as exc:
            raise IntegrityError(f"{name}@{version}: {exc}") from exc
        if manifest.name != name or manifest.version != version:
            raise IntegrityError(
                f"{name}@{version}: manifest says {manifest.name}@{manifest.version}"
            )
        return RegistryEntry(name, version, path, manifest)

    def verify(self, entry: RegistryEntry) -> None:
        """Check the PEFT files exist and the weights' sha256 matches the manifest."""
        for fname in (CONFIG_FILE, WEIGHTS_FILE):
            f = entry.path / fname
            if not f.is_file() or f.is_symlink():
                raise IntegrityError(f"{entry.ref}: {fname} is missing")
        actual = sha256_file(entry.path / WEIGHTS_FILE)
        if actual != entry.manifest.adapter_sha256:
            raise IntegrityError(
                f"{entry.ref}: sha256 of {WEIGHTS_FILE} is {actual[:12]}..., manifest says "
                f"{entry.manifest.adapter_sha256[:12]}...; the weights were changed or corrupted"
            )

    def resolve_verified(self, ref: str) -> RegistryEntry:
        entry = self.resolve(ref)
        self.verify(entry)
        return entry
