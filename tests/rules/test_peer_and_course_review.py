"""Peer recognition from items (distinct meetings, orals' conditions) and course cases' full review."""

from dataclasses import replace
from datetime import date

import pytest

from cmrnet.rules import PackageError, PeerItem, PeerRecognition, read_package, write_package

from .helpers import candidate, compliant, evaluation, modify, rule, status

L3 = "level3-direct"


def item(iid, kind, event, scope="national", first=True, presented=True):
    return PeerItem(iid, kind, f"Title {iid}", event, date(2025, 5, 1), scope, first, presented)


def peer(*items):
    data = candidate(compliant(L3), peer_recognition=PeerRecognition(items=items))
    return rule(data, "peer_recognition", L3)


@pytest.mark.parametrize("kind", ["cme_faculty", "invited_talk", "oral"])
def test_two_or_more_must_be_at_distinct_meetings_or_courses(kind):
    same = peer(item("a", kind, "BSCMR 2025"), item("b", kind, "bscmr 2025 "))
    assert same.status == "not_met"
    assert same.offending == ("b",)
    assert "same meeting or course as an earlier item" in same.message
    assert peer(item("a", kind, "BSCMR 2025"), item("b", kind, "EuroCMR 2025")).status == "met"


def test_three_publications_in_three_papers_meet_it_and_a_repeated_paper_does_not():
    papers = [item(str(i), "publication", f"doi:10.1/{i}") for i in range(3)]
    assert peer(*papers).status == "met"
    assert peer(*papers[:2], item("x", "publication", "doi:10.1/0")).status == "not_met"


@pytest.mark.parametrize("changes, reason", [
    ({"scope": "local"}, "an oral presentation counts only at a national or international meeting (this one: local)"),
    ({"first": False}, "an oral presentation counts only when the candidate is the first author"),
    ({"presented": False}, "an oral presentation counts only when the candidate presented it"),
])
def test_orals_must_be_national_or_international_first_author_and_presented(changes, reason):
    good = item("a", "oral", "ESC Congress 2025", scope="international")
    bad = item("b", "oral", "Regional CMR day", **changes)
    result = peer(good, bad)
    assert result.status == "not_met"
    assert result.offending == ("b",)
    assert reason in result.message
    assert peer(good, item("b", "oral", "Regional CMR day")).status == "met"


def test_local_faculty_and_invited_talks_count():
    assert peer(item("a", "cme_faculty", "Local course", "local"),
                item("b", "cme_faculty", "Other local course", "local")).status == "met"


def test_posters_never_count():
    result = peer(*(item(str(i), "poster", f"Meeting {i}") for i in range(5)))
    assert result.status == "not_met"
    assert "(posters do not count)" in result.message
    assert len(result.offending) == 5


def test_declared_counts_are_used_without_items():
    result = rule(candidate(compliant(L3), peer_recognition=PeerRecognition(invited_talks=2)), "peer_recognition", L3)
    assert (result.status, result.message) == ("met", "met by invited talks/chairs (declared counts)")


def test_peer_items_travel_in_peer_csv(tmp_path):
    items = (item("a", "oral", "EuroCMR 2025"), item("b", "poster", "SCMR 2025", scope="international",
                                                     first=False, presented=False))
    data = candidate(compliant(L3), peer_recognition=PeerRecognition(items=items))
    folder = write_package(tmp_path / "pkg", data)
    assert (folder / "peer.csv").read_text().splitlines()[0] == \
        "item_id,kind,title,event,date,scope,first_author,presented_in_person"
    assert read_package(folder) == data
    (folder / "peer.csv").write_text((folder / "peer.csv").read_text().replace(",oral,", ",talk,"))
    with pytest.raises(PackageError, match="peer.csv row 1, column kind: 'talk' is not one of"):
        read_package(folder)


# --- course cases must have had a full review -------------------------------------------------
def course_cases(data):
    return [i for i, c in enumerate(data.cases) if c.source == "course"]


def test_a_course_case_without_a_full_review_does_not_count():
    data = compliant()
    index = course_cases(data)[0]
    data = modify(data, [index], full_review=False)
    ev = evaluation(data)
    result = ev.rule("course_review")
    assert result.status == "not_met"
    assert result.offending == (data.cases[index].case_id,)
    assert ev.case_rejections[data.cases[index].case_id] == ("course_review",)
    assert ev.rule("case_count").numbers["have"] == len(data.cases) - 1


def test_a_course_case_with_an_unrecorded_review_counts_with_a_warning():
    data = compliant()
    indices = course_cases(data)
    data = modify(data, indices, full_review=None)
    ev = evaluation(data)
    assert ev.rule("course_review").status == "met"
    assert ev.rule("case_count").numbers["have"] == len(data.cases)
    assert ev.warnings == [f"{len(indices)} course cases do not say whether the course reviewed the candidate's "
                           f"report in full (full_review column); they are counted: "
                           + ", ".join(data.cases[i].case_id for i in indices[:3])
                           + (f" and {len(indices) - 3} more" if len(indices) > 3 else "")]
    assert evaluation(compliant()).warnings == []


def test_own_centre_cases_need_no_review():
    data = modify(compliant(), [0], full_review=False)
    assert data.cases[0].source != "course"
    assert status(data, "course_review") == "met"


def test_package_without_the_full_review_column_reads_as_unrecorded(tmp_path):
    folder = write_package(tmp_path / "pkg", compliant())
    lines = (folder / "cases.csv").read_text().splitlines()
    assert lines[0].endswith(",clinical_change,full_review")
    (folder / "cases.csv").write_text("\n".join(line.rsplit(",", 1)[0] for line in lines) + "\n")
    data = read_package(folder)
    assert {c.full_review for c in data.cases} == {None}
    assert evaluation(data).compliant is True and evaluation(data).warnings


def test_package_writer_leaves_the_column_out_when_nothing_is_recorded(tmp_path):
    data = compliant()
    data = replace(data, cases=tuple(replace(c, full_review=None) for c in data.cases))
    folder = write_package(tmp_path / "pkg", data)
    assert (folder / "cases.csv").read_text().splitlines()[0].endswith(",clinical_change")
    assert read_package(folder) == data


def test_bad_full_review_value_names_row_and_column(tmp_path):
    folder = write_package(tmp_path / "pkg", compliant())
    lines = (folder / "cases.csv").read_text().splitlines()
    lines[2] = lines[2] + "maybe"
    (folder / "cases.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(PackageError, match="cases.csv row 2, column full_review: '(yes|no)?maybe' is not yes or no"):
        read_package(folder)


def test_refused_items_are_listed_with_their_exact_reasons():
    result = peer(item("p", "poster", "SCMR 2025"),
                  item("o1", "oral", "ESC 2025", first=False),
                  item("o2", "oral", "ESC 2024", presented=False),
                  item("o3", "oral", "Local day", scope="local"))
    assert result.message == (
        "none of the alternatives is met: 0/2 CME courses as faculty, 0/2 invited talks/chairs, "
        "0/3 peer-reviewed CMR papers (no abstracts), 0/2 first-author oral presentations (posters do not count); "
        "4 items not counted (o1: an oral presentation counts only when the candidate is the first author; "
        "o2: an oral presentation counts only when the candidate presented it; "
        "o3: an oral presentation counts only at a national or international meeting (this one: local))")
    assert result.offending == ("o1", "o2", "o3", "p")
    assert peer(item("p", "poster", "SCMR 2025")).message.endswith(
        "(posters do not count); 1 items not counted (p: posters are not accepted (moderated poster presentation neither))")
    assert result.missing == ("peer recognition: one of 0/2 CME courses as faculty, 0/2 invited talks/chairs, "
                              "0/3 peer-reviewed CMR papers (no abstracts), 0/2 first-author oral presentations "
                              "(distinct meetings or courses)",)


def test_the_later_item_of_one_event_is_the_one_not_counted_whatever_the_ids():
    later = PeerItem("a", "cme_faculty", "Course", "Course X", date(2025, 6, 1))
    earlier = PeerItem("b", "cme_faculty", "Course", "course x", date(2024, 6, 1))
    result = peer(later, earlier)
    assert result.offending == ("a",)
    assert result.message.endswith("1 items not counted (a: same meeting or course as an earlier item)")
    paper = peer(*(item(str(i), "publication", "doi:1") for i in range(2)))
    assert paper.message.endswith("1 items not counted (1: same journal/paper as an earlier item)")


def test_an_item_without_an_event_is_told_apart_by_its_title():
    untitled = [PeerItem(str(i), "invited_talk", f"Talk {i}", "", date(2025, 1, i + 1)) for i in range(2)]
    result = peer(*untitled)
    assert (result.status, result.numbers["invited_talks"]) == ("met", {"have": 2, "need": 2})
    assert result.message == "met by invited talks/chairs"


def test_course_review_sentences_in_each_state():
    data = compliant()
    indices = course_cases(data)
    reviewed = rule(data, "course_review")
    assert (reviewed.message, reviewed.numbers) == ("every course case had a full review of the candidate's report",
                                                    {"not_reviewed": 0, "unrecorded": 0})
    unknown = rule(modify(data, indices[:2], full_review=None), "course_review")
    assert (unknown.message, unknown.numbers) == ("2 course cases without a recorded review are counted",
                                                  {"not_reviewed": 0, "unrecorded": 2})
    refused = modify(data, indices[:1], full_review=False)
    result = rule(refused, "course_review")
    case_id = refused.cases[indices[0]].case_id
    assert result.message == (f"1 course cases without a full review of the candidate's report are not counted: "
                              f"{case_id}")
    assert result.missing == (f"remove 1 course cases without a full review ({case_id})",)
