"""Tags for `cmrnet.core.listing.Listing`: a sortable column header and the pager."""

from django import template
from django.utils.html import format_html

register = template.Library()

ARROWS = {"ascending": " ▲", "descending": " ▼", "none": ""}


@register.simple_tag
def sort_th(listing, key: str, label: str):
    """<th> with aria-sort and a link that sorts by `key` (a second click reverses)."""
    state = listing.aria_sort(key)
    hint = {"ascending": "sorted ascending, click to sort descending",
            "descending": "sorted descending, click to sort ascending"}.get(state, "click to sort")
    return format_html('<th scope="col" aria-sort="{}"><a href="{}" class="sort">{}<span aria-hidden="true">{}</span>'
                       '<span class="visually-hidden"> ({})</span></a></th>',
                       state, listing.sort_url(key), label, ARROWS[state], hint)


@register.inclusion_tag("core/_pager.html")
def pager(listing, label: str = "items"):
    return {"listing": listing, "page": listing.page, "label": label}


@register.filter
def pager_url(listing, number: int) -> str:
    return listing.page_url(int(number))
