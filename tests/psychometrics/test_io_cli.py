"""CSV readers (errors name file, line, column) and the ``cmrnet exam`` CLI."""

import json

import pytest

from cmrnet.psychometrics import InputError, read_ratings_csv, read_responses_csv, read_scored_csv
from cmrnet.psychometrics.cli import exam_main

ITEM_KEYS = {"id", "p", "r_pb", "r_pbc", "d27", "alpha_if_deleted", "options", "flags",
             "suggested_key"}
TOP_KEYS = {"n_candidates", "n_items", "mean", "sd", "alpha", "sem", "items"}


def _write(path, text):
    path.write_text(text)
    return str(path)


@pytest.fixture
def files(tmp_path):
    resp = _write(tmp_path / "resp.csv",
                  "candidate_id,item1,item2,item3\n"
                  "c1,A,B,C\nc2,A,B,\nc3,A,C,D\nc4,B,C,C\nc5,A,B,C\n")
    key = _write(tmp_path / "key.csv", "item_id,key\nitem1,A\nitem2,B\nitem3,C\n")
    ratings = _write(tmp_path / "ratings.csv",
                     "judge_id,item1,item2,item3\nj1,50,60,70\nj2,40,50,60\nj3,60,70,80\n")
    return {"resp": resp, "key": key, "ratings": ratings, "dir": tmp_path}


def test_reader_error_names_file_line_column(tmp_path):
    bad = _write(tmp_path / "bad.csv", "candidate_id,item1,item2\nc1,A,B\nc2,A,X\n")
    with pytest.raises(InputError) as exc:
        read_responses_csv(bad)
    msg = str(exc.value)
    assert "bad.csv" in msg and "line 3" in msg and "'item2'" in msg and "'X'" in msg
    assert exc.value.line == 3 and exc.value.column == "item2"


@pytest.mark.parametrize("text, needle", [
    ("candidate_id,item1\nc1,2\n", "line 2, column 'item1': invalid mark '2'"),
    ("candidate_id,item1\nc1,\n", "line 2, column 'item1': empty cell"),
    ("candidate_id,item1,item1\nc1,1,0\n", "duplicate column"),
    ("candidate_id,item1\nc1,1\nc1,0\n", "line 3, column 'candidate_id': duplicate id"),
    ("candidate_id,item1,item2\nc1,1\n", "line 2: expected 3 cells, found 2"),
])
def test_scored_reader_errors(tmp_path, text, needle):
    with pytest.raises(InputError, match=needle):
        read_scored_csv(_write(tmp_path / "s.csv", text))


def test_ratings_percent_detection(files, tmp_path):
    t = read_ratings_csv(files["ratings"])
    assert t.percent_input and t.ratings[0, 0] == 0.5
    t2 = read_ratings_csv(_write(tmp_path / "r.csv", "judge_id,item1\nj1,0.55\n"))
    assert not t2.percent_input and t2.ratings[0, 0] == 0.55
    with pytest.raises(InputError, match="line 2, column 'item1': rating '120' out of range"):
        read_ratings_csv(_write(tmp_path / "r2.csv", "judge_id,item1\nj1,120\n"))


def test_analyse_json_shape(files, capsys):
    assert exam_main(["analyse", files["resp"], "--key", files["key"], "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert TOP_KEYS <= set(d) and d["n_candidates"] == 5 and d["n_items"] == 3
    assert all(set(item) == ITEM_KEYS for item in d["items"])
    assert [i["id"] for i in d["items"]] == ["item1", "item2", "item3"]
    assert d["items"][0]["p"] == 0.8
    opts = d["items"][2]["options"]
    assert opts["C"]["count"] == 3 and opts["C"]["key"] and opts["omitted"]["count"] == 1
    assert d["mean"] == pytest.approx((3 + 2 + 1 + 1 + 3) / 5)
    assert d["distribution"] == {"0": 0, "1": 2, "2": 1, "3": 2}


def test_analyse_exclude_and_rekey(files, capsys):
    assert exam_main(["analyse", files["resp"], "--key", files["key"], "--format", "json",
                      "--exclude", "item3", "--rekey", "item2=C"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["n_items"] == 2 and d["removed"] == ["item3"]
    assert d["items"][1]["p"] == 0.4


def test_analyse_scored_without_key_and_irt(ref, capsys):
    code = exam_main(["analyse", str(ref / "lsat6_scored.csv"), "--scored", "--format", "json",
                      "--irt", "rasch"])
    assert code == 0
    d = json.loads(capsys.readouterr().out)
    assert d["alpha"] == pytest.approx(.2950, abs=5e-5)
    assert [round(i["b"], 3) for i in d["irt"]["items"]] == [-2.872, -1.063, -0.258, -1.388,
                                                            -2.219]
    assert d["irt"]["loglik"] == pytest.approx(-2473.054, abs=5e-3)


def test_analyse_text_output(ref, capsys):
    code = exam_main(["analyse", str(ref / "sat12_responses.csv"), "--key",
                      str(ref / "sat12_key.csv")])
    out = capsys.readouterr().out
    assert code == 0 and "candidates 600  items 32" in out
    assert "possible_miskey -> C" in out


def test_bad_input_exit_2_names_row_and_column(files, capsys, tmp_path):
    bad = _write(tmp_path / "bad.csv", "candidate_id,item1,item2,item3\nc1,A,B,Q\n")
    assert exam_main(["analyse", bad, "--key", files["key"]]) == 2
    err = capsys.readouterr().err
    assert "bad.csv" in err and "line 2" in err and "'item3'" in err
    assert exam_main(["analyse", files["resp"]]) == 2  # letters need a key
    assert "--key" in capsys.readouterr().err
    assert exam_main(["analyse", str(tmp_path / "missing.csv"), "--key", files["key"]]) == 2
    assert exam_main(["analyse", files["resp"], "--key", files["key"], "--exclude", "zz"]) == 2
    assert "unknown item" in capsys.readouterr().err
    assert exam_main(["bogus"]) == 2
    key2 = _write(tmp_path / "k2.csv", "item_id,key\nitem1,A\nitem2,B\n")
    assert exam_main(["analyse", files["resp"], "--key", key2]) == 2
    assert "no key for item(s): item3" in capsys.readouterr().err


def test_cutscore_angoff_cli(files, capsys):
    assert exam_main(["cutscore", "angoff", files["ratings"], "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["cut"] == pytest.approx(1.8) and d["percent_input"] is True
    assert d["judge_sd"] == pytest.approx(0.3)
    assert exam_main(["cutscore", "angoff", files["ratings"], "--exclude", "item3",
                      "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["cut"] == pytest.approx(1.1) and d["excluded"] == ["item3"] and d["n_items"] == 2
    assert exam_main(["cutscore", "angoff", files["ratings"]]) == 0
    assert "Angoff cut 1.80 of 3 items" in capsys.readouterr().out
    assert exam_main(["cutscore", "angoff", files["ratings"], "--exclude", "item9"]) == 2


def test_cutscore_hofstee_and_cohen_cli(tmp_path, capsys):
    rows = "".join(f"c{i},{','.join(['1'] * s + ['0'] * (10 - s))}\n"
                   for i, s in enumerate([2, 3, 4, 5, 5, 6, 6, 7, 8, 9]))
    scored = _write(tmp_path / "s.csv", "candidate_id," + ",".join(f"i{j}" for j in range(10))
                    + "\n" + rows)
    assert exam_main(["cutscore", "hofstee", scored, "--scored", "--cut-min", "40",
                      "--cut-max", "80", "--fail-min", "10", "--fail-max", "50",
                      "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["cut"] == pytest.approx(16 / 3) and d["cut_score"] == 6 and d["fail_rate"] == 0.5
    assert exam_main(["cutscore", "cohen", scored, "--scored", "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["reference_score"] == 9 and d["cut"] == pytest.approx(5.4)
    assert exam_main(["cutscore", "cohen", scored, "--scored", "--exclude", "i9",
                      "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["max_score"] == 9 and d["reference_score"] == 9 and d["removed"] == ["i9"]
