from django import template

register = template.Library()


@register.filter
def report_value(value):
    """A report value for people: maps as "7: mid wall", lists as "1, 2" (empty: "none"), None as a dash."""
    if value is None or value == "":
        return "—"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {str(v).replace('_', ' ')}" for k, v in sorted(value.items(), key=lambda kv: int(kv[0]))) or "none"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "none"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value).replace("_", " ") if isinstance(value, str) and "_" in value and " " not in value else value
