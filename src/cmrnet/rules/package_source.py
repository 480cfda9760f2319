"""Where an application package's files come from: a folder or a zip, and nowhere else.

Every name read from a package (the fixed file names, ``candidate.toml``'s ``[level2] cases``,
``cme.csv``'s ``certificate``) is first made a package-relative name by ``member_name`` (no absolute
path, drive, ``..`` or control character), then looked up by the package itself:

- ``FolderPackage``: the path, with symbolic links and ``..`` resolved, must lie inside the resolved
  folder and be a regular file;
- ``ZipPackage``: the name must be a member of the archive; nothing is extracted, symbolic-link
  members and duplicated names are refused, sizes are capped.

A name that is absent and a name that leads outside give the same message ("file not found in the
package"), so no error tells whether a path exists outside the package.  Pure Python, no Django.
"""

from __future__ import annotations

import re
import stat
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

MAX_MEMBERS = 500
MAX_FILE_BYTES = 50 * 1024 * 1024           # one file of the package
MAX_TOTAL_BYTES = 100 * 1024 * 1024         # everything in the package, uncompressed
IGNORED_PREFIXES = ("__MACOSX/",)           # resource forks added by the macOS archiver
IGNORED_NAMES = (".DS_Store",)
_DRIVE = re.compile(r"^[A-Za-z]:")


class PackageError(ValueError):
    """Bad input in an application package; the message names file, row/key and column."""


def member_name(reference: str) -> str:
    """``reference`` as a package-relative POSIX name; ValueError if it is empty or could leave the package.

    Backslashes count as separators (a package zipped on Windows); ``.`` parts are dropped.
    """
    text = (reference or "").strip().replace("\\", "/")
    if not text:
        raise ValueError("is empty")
    if any(ord(ch) < 32 for ch in text) or text.startswith("/") or _DRIVE.match(text) or ".." in text.split("/"):
        raise ValueError(f"{reference!r} is not a path inside the package")
    parts = [part for part in text.split("/") if part not in ("", ".")]
    if not parts:
        raise ValueError(f"{reference!r} is not a file name")
    return "/".join(parts)


class PackageFile:
    """One named file of a package: what ``package / name`` gives (read like a ``Path``)."""

    def __init__(self, package: Package, name: str):
        self.package, self.name = package, name

    def exists(self) -> bool:
        return self.package.has_file(self.name)

    def read_bytes(self) -> bytes:
        return self.package.read_bytes(self.name)

    def read_text(self, encoding: str = "utf-8") -> str:
        return self.read_bytes().decode(encoding)

    def __repr__(self) -> str:
        return f"<PackageFile {self.name!r} of {self.package.label}>"


class Package:
    """A package's files by package-relative name. ``read_bytes`` raises FileNotFoundError
    alike for a name that is absent and for one that leads outside."""

    label = "the package"

    def __truediv__(self, name: str) -> PackageFile:
        return PackageFile(self, member_name(name))

    def has_file(self, name: str) -> bool:
        raise NotImplementedError

    def read_bytes(self, name: str) -> bytes:
        raise NotImplementedError

    @staticmethod
    def _not_found(name: str) -> FileNotFoundError:
        return FileNotFoundError(f"{name}: file not found in the package")


class FolderPackage(Package):
    def __init__(self, folder: str | Path):
        self.root = Path(folder).resolve(strict=True)

    def _path(self, name: str) -> Path | None:
        try:
            path = (self.root / member_name(name)).resolve(strict=True)
        except (OSError, ValueError, RuntimeError):     # absent, a loop of links, an unsafe name
            return None
        return path if path.is_relative_to(self.root) and path.is_file() else None

    def has_file(self, name: str) -> bool:
        return self._path(name) is not None

    def read_bytes(self, name: str) -> bytes:
        path = self._path(name)
        if path is None:
            raise self._not_found(name)
        with path.open("rb") as handle:
            data = handle.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            raise PackageError(f"{name}: larger than {MAX_FILE_BYTES // 2**20} MB")
        return data


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return info.create_system == 3 and stat.S_ISLNK(info.external_attr >> 16)


def _common_prefix(names: list[str]) -> str:
    """A package zipped as one folder ('mypackage/cases.csv') is read from inside that folder."""
    if names and all("/" in n for n in names):
        first = names[0].split("/", 1)[0] + "/"
        if all(n.startswith(first) for n in names):
            return first
    return ""


class ZipPackage(Package):
    """The members of a zip, read in memory (never extracted).  Refuses at opening: a damaged
    archive, too many members, a declared size over the caps, encrypted or symbolic-link members,
    unsafe or duplicated names."""

    label = "the zip"

    def __init__(self, source: str | Path | BinaryIO, *, max_total_bytes: int = MAX_TOTAL_BYTES):
        try:
            self.archive = zipfile.ZipFile(source)
            infos = self.archive.infolist()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, NotImplementedError):
            raise PackageError("The file is not a readable zip archive.") from None
        members = [i for i in infos if not i.is_dir() and not i.filename.startswith(IGNORED_PREFIXES)
                   and i.filename.rsplit("/", 1)[-1] not in IGNORED_NAMES]
        if len(members) > MAX_MEMBERS:
            raise PackageError(f"The zip holds more than {MAX_MEMBERS} files.")
        if sum(i.file_size for i in members) > max_total_bytes:
            raise PackageError(f"The zip unpacks to more than {max_total_bytes // 2**20} MB.")
        self.members: dict[str, zipfile.ZipInfo] = {}
        names = [self._checked_name(info) for info in members]
        prefix = _common_prefix(names)
        for name, info in zip(names, members):
            name = name[len(prefix):]
            if name in self.members:
                raise PackageError(f"{name}: the zip holds this file twice.")
            self.members[name] = info

    @staticmethod
    def _checked_name(info: zipfile.ZipInfo) -> str:
        try:
            name = member_name(info.filename)
        except ValueError:
            raise PackageError(f"{info.filename!r}: unsafe file name in the zip (it points outside the package).") \
                from None
        if _is_symlink(info):
            raise PackageError(f"{name}: a symbolic link in the zip; a package holds plain files only.")
        if info.flag_bits & 0x1:
            raise PackageError(f"{name}: encrypted in the zip; a package is not password-protected.")
        if info.file_size > MAX_FILE_BYTES:
            raise PackageError(f"{name}: larger than {MAX_FILE_BYTES // 2**20} MB.")
        return name

    def has_file(self, name: str) -> bool:
        try:
            return member_name(name) in self.members
        except ValueError:
            return False

    def read_bytes(self, name: str) -> bytes:
        try:
            info = self.members.get(member_name(name))
        except ValueError:
            info = None
        if info is None:
            raise self._not_found(name)
        try:
            with self.archive.open(info) as handle:
                data = handle.read(info.file_size + 1)   # zipfile stops at the declared size and checks the CRC
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, zlib.error):
            raise PackageError(f"{name}: cannot be read from the zip (the archive is damaged).") from None
        return data


def open_package(source: str | Path | Package) -> Package:
    """A package from a folder, a zip file, or an already opened ``Package``."""
    if isinstance(source, Package):
        return source
    path = Path(source)
    if path.is_dir():
        return FolderPackage(path)
    if path.is_file() and (path.suffix.lower() == ".zip" or zipfile.is_zipfile(path)):
        return ZipPackage(path)
    raise PackageError(f"{path}: not a folder or a zip file")
