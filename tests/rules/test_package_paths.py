"""Security issue, finding 1, on the command line: `cmrnet check-application` reads only files inside
the package (a folder after resolving symbolic links and '..', or the members of a zip), and its
messages never tell whether a path outside the package exists."""

import io
import shutil
import stat
import zipfile
from pathlib import Path

import pytest

from cmrnet.rules import EXAMPLES_DIR, PackageError, read_package
from cmrnet.rules.cli import check_application_main
from cmrnet.rules.package_source import member_name

EXAMPLE = EXAMPLES_DIR / "level2-compliant"
ARGS = ["--ruleset", "eacvi-2025", "--route", "level2", "--today", "2026-01-01"]
SECRET = "SECRET-MARKER-1c0ffee-do-not-leak"
LEVEL2 = '\n[level2]\nawarded_on = 2020-01-01\nvalid_until = 2030-01-01\ncases = "{}"\n'


@pytest.fixture
def outside(tmp_path) -> dict:
    folder = tmp_path / "server"
    folder.mkdir()
    secret = folder / "secret_key"
    secret.write_text(SECRET + "\n")
    return {"secret": secret, "missing": folder / "no-such-file", "folder": folder}


@pytest.fixture
def package(tmp_path) -> Path:
    target = tmp_path / "pkg"
    shutil.copytree(EXAMPLE, target)
    return target


def _run(capsys, path) -> tuple[int, str]:
    code = check_application_main([str(path), *ARGS])
    captured = capsys.readouterr()
    assert SECRET not in captured.out + captured.err
    return code, captured.err


def _level2(package: Path, reference: str) -> None:
    toml = package / "candidate.toml"
    toml.write_text(toml.read_text() + LEVEL2.format(reference))


class TestFolder:
    def test_absolute_level2_cases_path_is_refused_and_never_read(self, package, outside, capsys):
        _level2(package, str(outside["secret"]))
        code, err = _run(capsys, package)
        assert code == 2
        assert "candidate.toml key level2.cases" in err and "is not a path inside the package" in err

    def test_traversal_is_refused(self, package, outside, capsys):
        _level2(package, "../server/secret_key")
        code, err = _run(capsys, package)
        assert code == 2 and "is not a path inside the package" in err

    def test_existing_and_missing_outside_paths_give_the_same_message(self, tmp_path, outside, capsys):
        errors = []
        for which in ("secret", "missing"):
            folder = tmp_path / f"pkg-{which}"
            shutil.copytree(EXAMPLE, folder)
            _level2(folder, str(outside[which]))
            code, err = _run(capsys, folder)
            assert code == 2
            errors.append(err.replace(str(outside[which]), "PATH").replace(str(folder), "PKG"))
        assert errors[0] == errors[1]

    def test_a_symbolic_link_out_of_the_package_reads_as_absent(self, package, outside, capsys):
        (package / "level2_cases.csv").symlink_to(outside["secret"])
        _level2(package, "level2_cases.csv")
        code, err = _run(capsys, package)
        assert code == 2 and "level2_cases.csv: file not found in the package" in err
        (package / "level2_cases.csv").unlink()
        code, absent = _run(capsys, package)
        assert absent == err

    def test_a_symlinked_cases_csv_pointing_outside_is_refused(self, package, outside, capsys):
        (package / "cases.csv").unlink()
        (package / "cases.csv").symlink_to(outside["secret"])
        code, err = _run(capsys, package)
        assert code == 2 and "cases.csv: file not found in the package" in err

    def test_a_symlinked_folder_inside_pointing_outside_is_refused(self, package, outside, capsys):
        (package / "sub").symlink_to(outside["folder"])
        _level2(package, "sub/secret_key")
        code, err = _run(capsys, package)
        assert code == 2 and "sub/secret_key: file not found in the package" in err

    def test_a_symbolic_link_that_stays_inside_is_followed(self, package):
        (package / "real.csv").write_text((package / "cases.csv").read_text())
        (package / "cases.csv").unlink()
        (package / "cases.csv").symlink_to("real.csv")
        assert len(read_package(package).cases) >= 150

    def test_a_certificate_reference_outside_the_package_is_bad_input(self, package, outside, capsys):
        text = (package / "cme.csv").read_text().replace("certificate-eurocmr.pdf", str(outside["secret"]))
        (package / "cme.csv").write_text(text)
        code, err = _run(capsys, package)
        assert code == 2 and "cme.csv row 1, column certificate" in err and "not a path inside the package" in err


class TestZip:
    def _zip(self, tmp_path, extra: dict | None = None, links: dict | None = None, toml_extra: str = "") -> Path:
        path = tmp_path / "package.zip"
        with zipfile.ZipFile(path, "w") as archive:
            for member in sorted(EXAMPLE.iterdir()):
                body = member.read_bytes()
                if member.name == "candidate.toml":
                    body += toml_extra.encode()
                archive.writestr(f"pkg/{member.name}", body)
            for name, body in (extra or {}).items():
                archive.writestr(f"pkg/{name}", body)
            for name, target in (links or {}).items():
                info = zipfile.ZipInfo(f"pkg/{name}")
                info.create_system = 3
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                archive.writestr(info, target)
        return path

    def test_a_zip_package_is_checked_like_its_folder(self, tmp_path, capsys):
        assert check_application_main([str(self._zip(tmp_path)), *ARGS]) == 0

    def test_absolute_level2_path_in_a_zip_is_refused(self, tmp_path, outside, capsys):
        code, err = _run(capsys, self._zip(tmp_path, toml_extra=LEVEL2.format(outside["secret"])))
        assert code == 2 and "candidate.toml key level2.cases" in err

    def test_a_symbolic_link_member_is_refused(self, tmp_path, outside, capsys):
        path = self._zip(tmp_path, links={"level2_cases.csv": str(outside["secret"])},
                         toml_extra=LEVEL2.format("level2_cases.csv"))
        code, err = _run(capsys, path)
        assert code == 2 and "level2_cases.csv" in err and "symbolic link" in err

    def test_a_damaged_zip_is_bad_input(self, tmp_path, capsys):
        path = tmp_path / "broken.zip"
        path.write_bytes(b"PK\x03\x04" + b"\x00" * 40)
        code, err = _run(capsys, path)
        assert code == 2 and "not a readable zip" in err


@pytest.mark.parametrize("reference", ["/etc/passwd", "../x.csv", "a/../../x.csv", "..\\x.csv", "C:/x.csv",
                                       "c:x.csv", "", "  ", "a\x00b", "\\\\server\\share\\x.csv"])
def test_member_name_refuses_anything_that_could_leave_the_package(reference):
    with pytest.raises(ValueError):
        member_name(reference)


@pytest.mark.parametrize("reference, name", [("cases.csv", "cases.csv"), ("./certificates/a.pdf", "certificates/a.pdf"),
                                             ("certificates\\a.pdf", "certificates/a.pdf"), (" x.csv ", "x.csv"),
                                             ("a/b/../c.csv", None)])
def test_member_name_normalises_names_inside(reference, name):
    if name is None:
        with pytest.raises(ValueError):
            member_name(reference)
    else:
        assert member_name(reference) == name


def test_read_package_refuses_a_path_that_is_neither_folder_nor_zip(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(PackageError, match="not a folder or a zip"):
        read_package(tmp_path / "notes.txt")


def test_a_zip_from_bytes_can_be_read(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member in EXAMPLE.iterdir():
            archive.writestr(member.name, member.read_bytes())
    buffer.seek(0)
    from cmrnet.rules.package_source import ZipPackage

    assert read_package(ZipPackage(buffer)) == read_package(EXAMPLE)
