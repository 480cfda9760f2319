from cmrnet.core.charts import bar_chart, share_bar


def growth_chart(figures: dict):
    rows = figures["growth"]
    desc = ", ".join(f"{year}: {n}" for year, n in rows)
    return bar_chart(rows, title="Centres in the network per year", description=f"Centres at the end of each year: {desc}")


def busy_chart(figures: dict):
    busy = figures["busy_count"]
    return share_bar([("> 100/yr", busy), ("<= 100/yr", figures["count"] - busy)],
                     title="Centres by annual CMR scan volume")


def size_chart(figures: dict):
    mix = figures["size_mix"]
    return share_bar(list(mix.items()), title="Centres by size (beds)")
