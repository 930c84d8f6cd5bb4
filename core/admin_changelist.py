"""The admin's changelist with two costs per page taken out, for every ModelAdmin of the project
(``PortalChangeListMixin``; ``ScopedAdmin`` and the catalogues' admins use it):

* **one URL reversal per page**, not one per row: each row's link to its change page is the
  page's one reversed URL with the row's key put in (integer keys, i.e. every table here; any
  other key is reversed as Django does);
* **one ``COUNT`` when nothing filters the list**: Django counts the filtered rows (for the
  paginator) and then the unfiltered total (for "N total"), two identical statements on a list
  nobody filtered. When the list's queryset selects the same rows as the unfiltered one (the same
  conditions, no ``DISTINCT``, grouping or slicing) the total is the first count. A list filter
  that filters by default, a search, a query-string lookup or a ``get_search_results`` that
  filters on its own all change the conditions, and the total is then counted as before.
"""

from __future__ import annotations

from django.contrib.admin.utils import quote
from django.contrib.admin.views.main import ChangeList
from django.urls import reverse

# Stands for the row's key in the one reversed change URL (digits, so no quoting touches it).
KEY_MARK = "7306519842650931"


class _CountOnce:
    """Mixed into a queryset's own class: ``count()`` asked twice of one queryset object runs once."""

    def count(self):
        counted = self.__dict__.get("_counted")
        if counted is None or self._result_cache is not None:
            counted = self.__dict__["_counted"] = super().count()
        return counted


_COUNT_ONCE_CLASSES: dict[type, type] = {}


def _count_once(queryset) -> None:
    cls = type(queryset)
    once = _COUNT_ONCE_CLASSES.get(cls)
    if once is None:
        once = _COUNT_ONCE_CLASSES[cls] = type(f"CountOnce{cls.__name__}", (_CountOnce, cls), {})
    queryset.__class__ = once


def same_rows(a, b) -> bool:
    """Whether two querysets of one model select the same rows (so count the same)."""
    qa, qb = a.query, b.query
    return (
        a.model is b.model
        and qa.where == qb.where
        and not qa.distinct
        and not qb.distinct
        and not qa.combinator
        and not qb.combinator
        and qa.group_by is None
        and qb.group_by is None
        and (qa.low_mark, qa.high_mark) == (qb.low_mark, qb.high_mark) == (0, None)
    )


class PortalChangeList(ChangeList):
    def get_results(self, request):
        if self.model_admin.show_full_result_count and same_rows(self.queryset, self.root_queryset):
            _count_once(self.queryset)
            self.root_queryset = self.queryset
        super().get_results(request)

    def url_for_result(self, result):
        pk = getattr(result, self.pk_attname)
        if type(pk) is not int:
            return super().url_for_result(result)
        parts = self.__dict__.get("_change_url_parts")
        if parts is None:
            url = reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
                args=(quote(KEY_MARK),),
                current_app=self.model_admin.admin_site.name,
            )
            before, mark, after = url.partition(KEY_MARK)
            parts = self._change_url_parts = (before, after) if mark and KEY_MARK not in after else ()
        if not parts:
            return super().url_for_result(result)
        return f"{parts[0]}{pk}{parts[1]}"


class PortalChangeListMixin:
    """For a ModelAdmin: its changelist is ``PortalChangeList``."""

    def get_changelist(self, request, **kwargs):
        return PortalChangeList
