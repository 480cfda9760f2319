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
