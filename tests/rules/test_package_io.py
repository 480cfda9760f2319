"""Reading and writing the application package."""

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from cmrnet.rules import EXAMPLES_DIR, PackageError, evaluate, load_ruleset, read_package, write_package
from cmrnet.rules import SupervisorCert
from cmrnet.rules.testing import make_compliant_application

EXAMPLE = EXAMPLES_DIR / "level2-compliant"


@pytest.fixture
def package(tmp_path) -> Path:
    target = tmp_path / "pkg"
    shutil.copytree(EXAMPLE, target)
    return target


def _edit(path: Path, row: int, column: str, value: str) -> None:
    lines = path.read_text().splitlines()
    header = lines[0].split(",")
    cells = lines[row].split(",")
    cells[header.index(column)] = value
    lines[row] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")


def test_example_package_is_a_compliant_level2_application():
    data = read_package(EXAMPLE)
    assert len(data.cases) >= 150
    assert all(c.patient_key.startswith("p-") for c in data.cases)
    ev = evaluate(load_ruleset("eacvi-2025"), "level2", data, today=date(2026, 1, 1))
    assert ev.compliant is True


@pytest.mark.parametrize("route", ["level2", "level3-via-level2", "level3-direct"])
def test_write_then_read_gives_the_same_application(tmp_path, route):
    data = make_compliant_application(route)
    data = replace(data, supervisors=data.supervisors + (
        SupervisorCert("sup-x", "SCMR", 3, date(2020, 1, 1), date(2030, 1, 1), date(2024, 5, 1)),))
    assert read_package(write_package(tmp_path / route, data)) == data


def test_bad_date_names_file_row_and_column(package):
    _edit(package / "cases.csv", 7, "study_date", "2024-13-01")
    with pytest.raises(PackageError) as error:
        read_package(package)
    assert str(error.value) == "cases.csv row 7, column study_date: '2024-13-01' is not a date (YYYY-MM-DD)"


def test_unknown_category_is_bad_input(package):
    _edit(package / "cases.csv", 3, "category", "hypertension")
    with pytest.raises(PackageError, match=r"cases.csv row 3, column category: 'hypertension' is not one of ischaemic"):
        read_package(package, categories=load_ruleset("eacvi-2025").categories)


def test_bad_flag_names_column(package):
    _edit(package / "cases.csv", 1, "normal", "maybe")
    with pytest.raises(PackageError, match="cases.csv row 1, column normal: 'maybe' is not yes or no"):
        read_package(package)


def test_bad_role_and_source_are_refused(package):
    _edit(package / "cases.csv", 2, "role", "watcher")
    with pytest.raises(PackageError, match="cases.csv row 2, column role: 'watcher' is not one of"):
        read_package(package)


def test_duplicate_case_id_names_both_rows(package):
    _edit(package / "cases.csv", 2, "case_id", "c0001")
    with pytest.raises(PackageError, match="cases.csv row 2, column case_id: 'c0001' already used in row 1"):
        read_package(package)


def test_missing_column_is_reported_on_the_header(package):
    path = package / "training.csv"
    path.write_text(path.read_text().replace("hours_per_week", "hours"))
    with pytest.raises(PackageError, match="training.csv header \\(line 1\\): missing column 'hours_per_week'"):
        read_package(package)


def test_bad_number_in_cme(package):
    _edit(package / "cme.csv", 1, "credits", "lots")
    with pytest.raises(PackageError, match="cme.csv row 1, column credits: 'lots' is not a number"):
        read_package(package)


def test_end_before_start_in_training(package):
    _edit(package / "training.csv", 1, "end_date", "2020-01-01")
    with pytest.raises(PackageError, match="training.csv row 1, column end_date: 2020-01-01 is before start_date"):
        read_package(package)


def test_bad_candidate_key_names_the_key(package):
    path = package / "candidate.toml"
    path.write_text(path.read_text().replace("exam_passed = true", 'exam_passed = "yes"'))
    with pytest.raises(PackageError, match="candidate.toml key exam_passed: 'yes' is not true or false"):
        read_package(package)


def test_bad_level2_cases_file_names_that_file(tmp_path):
    folder = write_package(tmp_path / "via", make_compliant_application("level3-via-level2"))
    _edit(folder / "level2_cases.csv", 4, "study_date", "yesterday")
    with pytest.raises(PackageError, match="level2_cases.csv row 4, column study_date"):
        read_package(folder)


def test_a_level2_certificate_valid_until_before_its_award_is_refused(tmp_path):
    import re

    data = make_compliant_application("level3-via-level2")
    folder = write_package(tmp_path / "via", data)
    path = folder / "candidate.toml"
    awarded = data.candidate.level2.awarded_on
    text = path.read_text()
    day_before = date.fromordinal(awarded.toordinal() - 1)
    path.write_text(re.sub(r"^valid_until = \S+", f"valid_until = {day_before}", text, flags=re.M))
    with pytest.raises(PackageError) as error:
        read_package(folder)
    assert str(error.value) == f"candidate.toml key level2.valid_until: {day_before} is before awarded_on {awarded}"
    path.write_text(re.sub(r"^valid_until = \S+", f"valid_until = {awarded}", text, flags=re.M))
    assert read_package(folder).candidate.level2.valid_until == awarded


def test_missing_cases_file_is_reported(package):
    (package / "cases.csv").unlink()
    with pytest.raises(PackageError, match="cases.csv: file not found"):
        read_package(package)


def test_optional_files_may_be_absent(package):
    (package / "cme.csv").unlink()
    assert read_package(package).cme == ()


def test_every_field_the_engine_reads_travels_in_the_package(tmp_path):
    from cmrnet.rules import PeerItem, PeerRecognition
    data = make_compliant_application("level3-via-level2")
    level2 = replace(data.candidate.level2, training_ids=("t1",), cme_ids=("cme-01", "cme-02"))
    candidate = replace(data.candidate, level2=level2, results_date=date(2025, 12, 19), specialty="radiology",
                        peer_recognition=PeerRecognition(invited_talks=1, items=(
                            PeerItem("o1", "oral", "Title, with comma", "EuroCMR 2026", date(2026, 5, 2), "international",
                                     True, True),
                            PeerItem("f1", "cme_faculty", "Course", "", None, "local", False, False))))
    cases = tuple(replace(c, full_review=(i % 2 == 0)) if c.source == "course" else c for i, c in enumerate(data.cases))
    cme = tuple(replace(a, full_attendance=True) if i == 0 else a for i, a in enumerate(data.cme))
    rich = replace(data, candidate=candidate, cases=cases, cme=cme)
    folder = write_package(tmp_path / "rich", rich)
    back = read_package(folder)
    assert back == rich
    ruleset = load_ruleset("eacvi-2025")
    for route in ruleset.routes:
        assert evaluate(ruleset, route, back, today=date(2026, 1, 1)).to_dict() == \
            evaluate(ruleset, route, rich, today=date(2026, 1, 1)).to_dict()


def test_training_mode_travels_and_absent_column_reads_as_in_person(tmp_path, package):
    """training.csv's optional `mode` column (in_person / virtual, as the logbook's TrainingPeriod.mode)."""
    assert "mode" not in (package / "training.csv").read_text().splitlines()[0]
    assert {t.mode for t in read_package(package).training} == {"in_person"}   # no column: in person

    data = make_compliant_application("level2")
    remote = replace(data, training=(replace(data.training[0], mode="virtual"), *data.training[1:]))
    folder = write_package(tmp_path / "remote", remote)
    header, first = (folder / "training.csv").read_text().splitlines()[:2]
    assert header.endswith(",mode") and first.endswith(",virtual")
    assert read_package(folder) == remote
    # all in person: the column is not written, so older readers still read the package
    plain = write_package(tmp_path / "plain", data)
    assert "mode" not in (plain / "training.csv").read_text().splitlines()[0]
    assert read_package(plain) == data


def test_training_mode_cells(package):
    lines = (package / "training.csv").read_text().splitlines()
    (package / "training.csv").write_text("\n".join([lines[0] + ",mode", lines[1] + ",Virtual",
                                                      *[line + "," for line in lines[2:]]]) + "\n")
    periods = read_package(package).training
    assert periods[0].mode == "virtual" and all(p.mode == "in_person" for p in periods[1:])  # empty cell: in person
    _edit(package / "training.csv", 1, "mode", "remote")
    with pytest.raises(PackageError, match="training.csv row 1, column mode: 'remote' is not one of in_person, virtual"):
        read_package(package)


def test_case_mode_travels_for_the_virtual_share_rule(tmp_path, package):
    """cases.csv's optional `mode` too: SCMR's virtual_share rule reads Case.mode."""
    assert {c.mode for c in read_package(package).cases} == {"in_person"}          # no column: in person
    data = make_compliant_application("level2")
    remote = replace(data, cases=tuple(replace(c, mode="virtual") if i < 3 else c for i, c in enumerate(data.cases)))
    folder = write_package(tmp_path / "remote", remote)
    assert (folder / "cases.csv").read_text().splitlines()[0].endswith(",mode")
    back = read_package(folder)
    assert back == remote and sum(c.mode == "virtual" for c in back.cases) == 3
