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
