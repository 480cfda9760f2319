"""cmrnet check-application: exit codes, JSON shape, error messages."""

import json
import shutil
import subprocess
import sys

import pytest

from cmrnet.rules import EXAMPLES_DIR
from cmrnet.rules.cli import check_application_main

EXAMPLE = str(EXAMPLES_DIR / "level2-compliant")
ARGS = ["--ruleset", "eacvi-2025", "--route", "level2", "--today", "2026-01-01"]


@pytest.fixture
def package(tmp_path):
    target = tmp_path / "pkg"
    shutil.copytree(EXAMPLE, target)
    return target


def test_compliant_package_exits_0_with_json_verdict(capsys):
    assert check_application_main([EXAMPLE, *ARGS, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"ruleset", "route", "compliant", "rules", "missing", "warnings", "allocations"}
    assert (out["ruleset"], out["route"], out["compliant"], out["missing"]) == ("eacvi-2025", "level2", True, [])
    assert all({"id", "status", "message"} <= set(r) for r in out["rules"])
    assert [r["id"] for r in out["rules"]][:3] == ["case_count", "normal_share", "course_share"]


def test_non_compliant_package_exits_1_and_text_lists_what_is_missing(package, capsys):
    lines = (package / "cases.csv").read_text().splitlines()
    (package / "cases.csv").write_text("\n".join(lines[:140]) + "\n")
    assert check_application_main([str(package), *ARGS]) == 1
    out = capsys.readouterr().out
    assert out.startswith("eacvi-2025 / level2: NOT COMPLIANT")
    assert "✗ case_count: 139 eligible cases of 150 required" in out
    assert "✓ normal_share" in out
    assert "What is missing:\n  - 11 more eligible cases" in out


def test_bad_input_exits_2_and_names_file_row_and_column(package, capsys):
    lines = (package / "cases.csv").read_text().splitlines()
    cells = lines[5].split(",")
    cells[1] = "2025/01/03"
    lines[5] = ",".join(cells)
    (package / "cases.csv").write_text("\n".join(lines) + "\n")
    assert check_application_main([str(package), *ARGS]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == ("cmrnet check-application: error: cases.csv row 5, column study_date: "
                            "'2025/01/03' is not a date (YYYY-MM-DD)\n")


def test_unknown_route_exits_2(capsys):
    assert check_application_main([EXAMPLE, "--route", "level9"]) == 2
    assert "unknown route 'level9'" in capsys.readouterr().err


def test_bad_today_exits_2(capsys):
    assert check_application_main([EXAMPLE, "--today", "soon"]) == 2
    assert "'soon' is not a date" in capsys.readouterr().err


def test_site_ruleset_directory_from_environment(tmp_path, monkeypatch, capsys):
    from cmrnet.rules.ruleset import SHIPPED_DIR
    text = (SHIPPED_DIR / "eacvi-2025.toml").read_text().replace('id = "eacvi-2025"', 'id = "site"')
    shutil.copy(SHIPPED_DIR / "cme_catalogue.toml", tmp_path / "cme_catalogue.toml")
    (tmp_path / "site.toml").write_text(text.replace("cases_min = 150", "cases_min = 500", 1))
    monkeypatch.setenv("CMRNET_RULESETS_DIR", str(tmp_path))
    assert check_application_main([EXAMPLE, "--ruleset", "site", "--route", "level2", "--today", "2026-01-01"]) == 1
    assert "of 500 required" in capsys.readouterr().out


def test_python_dash_m_runs_the_check():
    proc = subprocess.run([sys.executable, "-m", "cmrnet.rules", EXAMPLE, *ARGS, "--format", "json"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    assert json.loads(proc.stdout)["compliant"] is True
