"""One-tap actions on the station QR phone page (/s/<code>/), offered by higher floors.

The phone page belongs to ``stations`` (second floor), but the features behind its buttons —
submit a need or a complaint, report a hazard photo, see my points — live in ``grievances`` and
``points`` (third floor), which stations must not import. So those apps *register* their
actions here from their ``AppConfig.ready()``; the page shows exactly the registered actions
and nothing else (no placeholder buttons for features that are not installed).

API::

    from stations.phone_actions import register_phone_action

    class GrievancesConfig(AppConfig):
        def ready(self):
            register_phone_action(
                key="grievance",            # unique; registering the same key again replaces it
                label="提诉求",              # button text (Chinese, short)
                url="grievances:phone-new",  # a URL name reversed with kwargs={"code": station.code},
                                             # or a callable (station, request) -> str | None
                order=10,                   # ascending, left to right / top to bottom
                hint="需求、投诉、建议",      # optional second line under the label
            )

A callable may return ``None`` to hide its action for a given station (e.g. points only at
stations that award them). A URL name that does not accept ``code`` is reversed without kwargs.
``phone_actions_for(station, request)`` returns the resolved ``[PhoneLink(label, url, hint)]``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse


@dataclass(frozen=True)
class PhoneAction:
    key: str
    label: str
    url: str | Callable
    order: int = 100
    hint: str = ""


@dataclass(frozen=True)
class PhoneLink:
    key: str
    label: str
    url: str
    hint: str = ""


_REGISTRY: dict[str, PhoneAction] = {}


def register_phone_action(key: str, label: str, url, order: int = 100, hint: str = "") -> None:
    """Offer an action on every station's phone page; see the module docstring."""
    if not key or not label:
        raise ValueError("a phone action needs a key and a label")
    if not (isinstance(url, str) or callable(url)):
        raise TypeError("url must be a URL name or a callable (station, request) -> str | None")
    _REGISTRY[key] = PhoneAction(key=key, label=label, url=url, order=order, hint=hint)


def unregister_phone_action(key: str) -> None:
    _REGISTRY.pop(key, None)


def registered_actions() -> list[PhoneAction]:
    return sorted(_REGISTRY.values(), key=lambda a: (a.order, a.key))


def _resolve(action: PhoneAction, station, request) -> str | None:
    if callable(action.url):
        return action.url(station, request)
    try:
        return reverse(action.url, kwargs={"code": station.code})
    except NoReverseMatch:
        return reverse(action.url)


def phone_actions_for(station, request=None) -> list[PhoneLink]:
    links = []
    for action in registered_actions():
        url = _resolve(action, station, request)
        if url:
            links.append(PhoneLink(key=action.key, label=action.label, url=url, hint=action.hint))
    return links


# --- the station manager's phone page (/stations/<code>/manage/) --------------------------------
# The same kind of registry for the manager's side: points offers "常驻人员" (the people linked to
# the station, with an award button) without stations importing points.

_MANAGER_REGISTRY: dict[str, PhoneAction] = {}


def register_manager_action(key: str, label: str, url, order: int = 100, hint: str = "") -> None:
    """Offer an action on every station manager's page; arguments as ``register_phone_action``.
    A callable ``url(station, request)`` may return ``None`` to hide it from this user."""
    if not key or not label:
        raise ValueError("a manager action needs a key and a label")
    _MANAGER_REGISTRY[key] = PhoneAction(key=key, label=label, url=url, order=order, hint=hint)


def manager_actions_for(station, request=None) -> list[PhoneLink]:
    links = []
    for action in sorted(_MANAGER_REGISTRY.values(), key=lambda a: (a.order, a.key)):
        url = _resolve(action, station, request)
        if url:
            links.append(PhoneLink(key=action.key, label=action.label, url=url, hint=action.hint))
    return links
