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
