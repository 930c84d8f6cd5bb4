from rest_framework.permissions import BasePermission, DjangoModelPermissions


class StaffModelPermissions(DjangoModelPermissions):
    """Model permissions for every method, reads included (DRF lets any user read by default).

    Which *rows* a user sees is the scope rule's job, applied in each viewset's queryset.
    """

    perms_map = {
        **DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }


def perm_required(perm: str) -> type[BasePermission]:
    """A permission class for one named permission (``"points.change_pointentry"``), for API
    actions whose right is not the model's add/change/delete (reports, workflow steps)."""

    class HasPerm(BasePermission):
        def has_permission(self, request, view):
            return bool(request.user and request.user.is_authenticated and request.user.has_perm(perm))

    HasPerm.__name__ = f"Has_{perm.replace('.', '_')}"
    return HasPerm
