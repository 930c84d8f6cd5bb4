"""``{% pager page %}``: the one pager of every staff list.

Works with a Django ``Page`` (lists that count) and with the count-free pages of the big lists,
which put ``number`` and ``has_next`` in the context instead. Links keep every other query
parameter (filters, search, ``node``…) and change only ``page``.
"""

from __future__ import annotations

from django import template

register = template.Library()


@register.inclusion_tag("core/pager.html", takes_context=True)
def pager(context, page=None):
    if page is not None and hasattr(page, "has_next"):
        number, has_next = page.number, page.has_next()
    else:
        number, has_next = context.get("number", 1), context.get("has_next", False)
    request = context["request"]

    def link(n: int) -> str:
        params = request.GET.copy()
        params.pop("page", None)
        if n > 1:
            params["page"] = n
        return "?" + params.urlencode()

    return {
        "number": number,
        "previous_url": link(number - 1) if number > 1 else None,
        "next_url": link(number + 1) if has_next else None,
    }
