import re

from cmrnet.core.charts import bar_chart, share_bar


def test_bar_heights_are_proportional_and_values_written():
    svg = str(bar_chart([("2009", 5), ("2014", 10)], title="Growth"))
    heights = [float(h) for h in re.findall(r'<rect [^>]*height="([\d.]+)"', svg)]
    assert heights[1] == 2 * heights[0]
    assert ">5<" in svg and ">10<" in svg and "<title" in svg


def test_labels_are_escaped():
    svg = str(bar_chart([("<b>x</b>", 1)], title="A & B"))
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "A &amp; B" in svg


def test_two_charts_on_a_page_have_distinct_label_ids():
    first, second = str(bar_chart([("a", 1)], title="One")), str(share_bar([("a", 1)], title="Two"))
    ids = re.findall(r'id="([^"]+)"', first + second)
    assert len(ids) == len(set(ids)) == 3


def test_share_bar_widths_follow_the_shares():
    svg = str(share_bar([("small", 1), ("large", 3)], title="Mix", width=400))
    widths = [float(w) for w in re.findall(r'<rect [^>]*width="([\d.]+)"', svg)]
    assert widths == [100.0, 300.0]


def _labels(svg):
    return re.findall(r'<text class="label" x="([\d.]+)" y="[\d.]+" text-anchor="(\w+)"(?: transform="[^"]+")?>([^<]*)<', svg)


def test_many_year_labels_are_written_vertically_so_they_cannot_overlap():
    years = [(str(y), y - 2000) for y in range(2005, 2027)]  # 22 bars: a year is wider than its slot
    svg = str(bar_chart(years, title="Growth"))
    assert svg.count('transform="rotate(-90') == 22
    height = float(re.search(r'viewBox="0 0 \d+ ([\d.]+)"', svg).group(1))
    assert height > 240  # the chart grew to hold the labels instead of cutting them


def test_few_labels_stay_horizontal_and_the_last_is_not_cut():
    svg = str(bar_chart([("2010", 1), ("2026 (to date)", 3)], title="Growth", width=300))
    labels = _labels(svg)
    assert "rotate" not in svg
    x, anchor, text = labels[-1]
    assert text == "2026 (to date)"
    end = float(x) if anchor == "end" else float(x) + (len(text) * 8 / 2 if anchor == "middle" else len(text) * 8)
    assert end <= 300


def test_a_value_too_wide_for_its_bar_is_left_to_the_tooltip():
    rows = [(str(i), 123456.5) for i in range(40)]
    svg = str(bar_chart(rows, title="Wide values"))
    assert svg.count('class="value"') == 0
    assert "<title>0: 123456</title>" in svg
