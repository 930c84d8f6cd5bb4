from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from organizations.roles import Role
from organizations.scope import ScopedQuerySet, ScopeSpec


class StaffPost(models.Model):
    """岗位 — a user's role at one node. A user may hold several; their scope is the union."""

    Role = Role

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.CASCADE,
        related_name="posts",
    )
    role = models.CharField("角色", max_length=16, choices=Role.choices)
    title = models.CharField("职务", max_length=64, blank=True)
    territory = models.ForeignKey(
        "organizations.Territory",
        verbose_name="辖区",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="posts",
    )
    organization = models.ForeignKey(
        "organizations.PartyOrganization",
        verbose_name="党组织",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="posts",
    )
    body = models.ForeignKey(
        "organizations.Body",
        verbose_name="领导机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="posts",
    )
    is_active = models.BooleanField("在岗", default=True)
    created_at = models.DateTimeField("设立时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory", organization="organization", body="body")

    # Which node each role sits at; enforced in clean() and by the constraint below.
    NODE_FOR_ROLE = {
        Role.MUNICIPAL: "territory",
        Role.DISTRICT: "territory",
        Role.STREET: "territory",
        Role.STATION: "territory",
        Role.INDUSTRY: "organization",
        Role.MEMBER_UNIT: "body",
    }

    class Meta:
        verbose_name = "岗位"
        verbose_name_plural = "岗位"
        constraints = [
            models.CheckConstraint(
                name="staffpost_exactly_one_node",
                condition=(
                    models.Q(territory__isnull=False, organization__isnull=True, body__isnull=True)
                    | models.Q(territory__isnull=True, organization__isnull=False, body__isnull=True)
                    | models.Q(territory__isnull=True, organization__isnull=True, body__isnull=False)
                ),
            ),
        ]
        indexes = [models.Index(fields=["user", "is_active"], name="staffpost_user_active")]

    def __str__(self) -> str:
        return f"{self.node} · {self.get_role_display()}"

    @property
    def node(self):
        return self.territory or self.organization or self.body

    def clean(self) -> None:
        expected = self.NODE_FOR_ROLE.get(self.role)
        if expected and getattr(self, f"{expected}_id") is None:
            labels = {"territory": "辖区", "organization": "党组织", "body": "领导机构"}
            raise ValidationError({expected: f"“{self.get_role_display()}”岗位必须设在{labels[expected]}上"})
        if self.role == Role.DISTRICT and self.territory and self.territory.level != "district":
            raise ValidationError({"territory": "区级岗位必须设在区（功能区）上"})
        if self.role == Role.STREET and self.territory and self.territory.level != "street":
            raise ValidationError({"territory": "街道岗位必须设在街道/镇上"})
        if self.role == Role.MUNICIPAL and self.territory and self.territory.level != "city":
            raise ValidationError({"territory": "市级岗位必须设在市上"})
