"""Long lists done in the database: text search, sorting and pagination, one reusable piece.

A selector builds the queryset the person may see; `listing(...)` applies the search (`q`), the sort
(`sort=<key>`, `-<key>` for descending, keys from a whitelist) and the page (`page`), all as SQL
(WHERE ... LIKE, ORDER BY, LIMIT/OFFSET with one COUNT), and returns a `Listing` the templates
`core/_sort_th.html` and `core/_pager.html` render (links keep every other GET parameter: filters
survive sorting and paging).

    cases = listing(request.GET, queryset, sorts={"date": ("study_date", "sequence"), ...},
                    default="-date", search=("case_id", "category", "supervisor__full_name"))
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.core.paginator import Page, Paginator
from django.db.models import Q, QuerySet
from django.http import QueryDict

PER_PAGE = 50
MAX_QUERY = 100


@dataclass
class Listing:
    page: Page
    sort: str                      # the sort key in use, e.g. "date"
    descending: bool
    q: str
    params: QueryDict = field(repr=False)
    sorts: tuple[str, ...] = ()

    @property
    def items(self):
        return self.page.object_list

    @property
    def total(self) -> int:
        return self.page.paginator.count

    def url(self, **changes) -> str:
        """'?…' with the current parameters, `changes` applied (None removes a parameter)."""
        params = self.params.copy()
        for key, value in changes.items():
            params.pop(key, None)
            if value not in (None, ""):
                params[key] = str(value)
        encoded = params.urlencode()
        return f"?{encoded}" if encoded else "?"

    def page_url(self, number: int) -> str:
        return self.url(page=number if number > 1 else None)

    def sort_url(self, key: str) -> str:
        """Sorting by a column starts ascending; a second click reverses it. Back to page 1."""
        descending = key == self.sort and not self.descending
        return self.url(sort=f"-{key}" if descending else key, page=None)

    def aria_sort(self, key: str) -> str:
        if key != self.sort:
            return "none"
        return "descending" if self.descending else "ascending"

    @property
    def first_url(self) -> str:
        return self.page_url(1)

    @property
    def last_url(self) -> str:
        return self.page_url(self.page.paginator.num_pages)


def search_filter(q: str, fields: tuple[str, ...]) -> Q:
    """Every word of `q` must appear (case-insensitive) in at least one of `fields`."""
    words = q.split()[:8]
    return reduce(lambda acc, word: acc & reduce(or_, (Q(**{f"{f}__icontains": word}) for f in fields)), words, Q())


def listing(params: QueryDict, queryset: QuerySet, *, sorts: dict[str, tuple[str, ...]], default: str,
            search: tuple[str, ...] = (), per_page: int = PER_PAGE, tiebreak: str = "pk") -> Listing:
    """Search, sort and paginate `queryset` in the database from the request's GET parameters.

    sorts maps a public key to the fields it orders by; an unknown key falls back to `default`
    ("-key" for descending). The primary key breaks ties so pages never overlap or skip rows."""
    q = (params.get("q") or "").strip()[:MAX_QUERY]
    if q and search:
        queryset = queryset.filter(search_filter(q, search))
    wanted = params.get("sort") or default
    key = wanted.removeprefix("-")
    if key not in sorts:
        wanted, key = default, default.removeprefix("-")
    descending = wanted.startswith("-")
    # a field written "-x" in `sorts` runs against the column's direction (e.g. newest award first)
    order = [("-" if descending != f.startswith("-") else "") + f.removeprefix("-") for f in sorts[key]]
    queryset = queryset.order_by(*order, f"-{tiebreak}" if descending else tiebreak)
    page = Paginator(queryset, per_page).get_page(params.get("page"))
    return Listing(page=page, sort=key, descending=descending, q=q, params=params, sorts=tuple(sorts))
