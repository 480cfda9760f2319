from django import template

register = template.Library()


@register.filter
def percent(value, digits: int = 0):
    if value is None:
        return "–"
    return f"{value * 100:.{digits}f}%"


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.simple_tag(takes_context=True)
def page_sections(context, page: str):
    """Render the sections apps registered for `page` (cmrnet.core.registry.register_section)."""
    from django.template.loader import render_to_string
    from django.utils.safestring import mark_safe

    from cmrnet.core.registry import sections_for

    request = context["request"]
    return mark_safe("".join(render_to_string(s.template, s.context(request), request=request) for s in sections_for(page)))


@register.filter
def stat(value, places: int = 2):
    """A statistic with its sign kept when it rounds to zero (−0.004, not 0.00)."""
    from cmrnet.core.display import stat as show

    return show(value, int(places))


@register.filter
def fixed(value, places: int = 2):
    """`floatformat:places` at a fiftieth of the cost (cmrnet.core.display.fixed): for pages with many figures."""
    from cmrnet.core.display import fixed as show

    return show(value, int(places))


@register.filter
def flag_label(name):
    from cmrnet.core.display import flag_label as label

    return label(str(name))


@register.filter
def duration(seconds):
    """Seconds as m:ss or h:mm:ss."""
    from cmrnet.core.display import duration as show

    return show(seconds)


@register.filter
def pass_mark(cut, max_score=None):
    """The operational pass mark in whole items with the exact cut beside it."""
    from cmrnet.core.display import pass_mark as show

    return show(cut, max_score)


@register.filter
def day(value):
    from cmrnet.core.display import day as show

    return show(value)


@register.filter
def plain(name):
    """An internal identifier in plain words ("not_met" -> "not met")."""
    return str(name).replace("_", " ")
