"""双线摸排 — survey imports: a batch per file, a staged row per data row, a verification task per
new or changed row, and a lineage row per record the portal created or updated from a file."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models

from organizations.scope import ScopedQuerySet, ScopeSpec


class Kind(models.TextChoices):
    UNITS = "units", "覆盖单位"
    MEMBERS = "members", "人员（党员/新就业群体）"
    STATIONS = "stations", "驿站"
    ORGANIZATIONS = "organizations", "党组织"


class HeaderAlias(models.Model):
    """表头别名 — a header as departments write it, mapped to a field of a kind.

    The built-in field labels always match; this table holds the variants
    (信用代码, 社会信用代码 …). A blank kind applies to every kind."""

    kind = models.CharField(
        "导入类别", max_length=16, choices=Kind.choices, blank=True, help_text="留空表示适用于所有类别"
    )
    alias = models.CharField("表头写法", max_length=64, help_text="按半角、去空格比较，例如 “信用代码”")
    field = models.CharField("对应字段", max_length=32, help_text="字段名，见导入类别说明，如 credit_code")

    class Meta:
        verbose_name = "表头别名"
        verbose_name_plural = "表头别名"
        ordering = ["kind", "field", "alias"]
        constraints = [models.UniqueConstraint(fields=["kind", "alias"], name="surveys_alias_unique")]

    def __str__(self) -> str:
        # The header as departments write it (data, any script) and the kind it applies to; the
        # field's code name is not shown to users (the admin lists its Chinese label).
        return f"表头“{self.alias}”（{self.get_kind_display() or '各类别'}）"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from surveys.specs import SPECS

        specs = [SPECS[self.kind]] if self.kind else list(SPECS.values())
        if not any(spec.field(self.field) for spec in specs):
            known = sorted({f.name for spec in specs for f in spec.fields})
            raise ValidationError({"field": f"没有字段“{self.field}”，可选：{'、'.join(known)}"})


class ImportBatch(models.Model):
    """导入批次 — one uploaded file through 取数—比对—筛核—分解 and apply. A long job is a row:
    the page polls ``status``/``progress``."""

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "读取比对中"
        REVIEW = "review", "待核实"
        PARTIAL = "partial", "部分已应用"
        # Apply asked for on the batch page and handed to the worker (a big batch outlasts a web
        # request); back to 待核实 or 部分已应用 if the worker refuses it or dies.
        APPLYING = "applying", "写入中"
        APPLIED = "applied", "已应用"
        FAILED = "failed", "读取失败"

    kind = models.CharField("导入类别", max_length=16, choices=Kind.choices)
    source = models.CharField("来源部门", max_length=100, blank=True, help_text="如 市场监管局、邮政管理局、某街道")
    source_body = models.ForeignKey(
        "organizations.Body",
        verbose_name="来源机构",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="survey_batches",
    )
    territory = models.ForeignKey(
        "organizations.Territory",
        verbose_name="覆盖辖区",
        on_delete=models.PROTECT,
        related_name="survey_batches",
        help_text="本批次可写入的辖区范围：上传人的辖区",
    )
    default_territory = models.ForeignKey(
        "organizations.Territory",
        verbose_name="默认属地",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="文件未写属地的行按此登记：文件标题中的区（如“秦淮区…摸排表”）或批次辖区",
    )
    full_list = models.BooleanField("全量清单", default=False, help_text="全量清单会列出平台有而文件中没有的记录")
    file = models.FileField("文件", upload_to="surveys/%Y/%m/", blank=True)
    file_name = models.CharField("文件名", max_length=255)
    file_hash = models.CharField("文件SHA-256", max_length=64, db_index=True)
    file_format = models.CharField("格式", max_length=16, blank=True)
    encoding = models.CharField("编码", max_length=16, blank=True)
    sheet = models.CharField("工作表", max_length=64, blank=True)
    header_row = models.PositiveIntegerField("表头行", null=True, blank=True)
    columns = models.JSONField("列对应", default=list, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    progress = models.PositiveSmallIntegerField("进度(%)", default=0)
    # The lease of a running batch: renewed with every chunk staged. A batch whose heartbeat is
    # older than SURVEY_LEASE_SECONDS was killed (timeout, OOM, restart) and is marked failed.
    heartbeat_at = models.DateTimeField("最近进展", null=True, blank=True)
    # The claim of a write handed to the worker (写入中): its message carries it, and only that
    # message, once, starts the write (surveys/apply_queue.py).
    apply_claim = models.UUIDField("写入认领", null=True, blank=True, editable=False)
    counts = models.JSONField("统计", default=dict, blank=True)
    message = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="上传人",
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("比对完成时间", null=True, blank=True)
    applied_at = models.DateTimeField("最近应用时间", null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="应用人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory", body="source_body")

    class Meta:
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"
        ordering = ["-created_at", "-id"]
        permissions = [("apply_importbatch", "可应用核实后的导入批次")]
        indexes = [models.Index(fields=["kind", "file_hash"], name="surveys_batch_kind_hash")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_kind_display()} {self.file_name}"

    @property
    def is_running(self) -> bool:
        """Being read and compared: no counts yet."""
        return self.status in (self.Status.PENDING, self.Status.RUNNING)

    @property
    def is_busy(self) -> bool:
        """A worker has it (reading and comparing, or writing): the page waits for it."""
        return self.is_running or self.status == self.Status.APPLYING


class RowStatus(models.TextChoices):
    NEW = "new", "新增"
    CHANGED = "changed", "变更"
    UNCHANGED = "unchanged", "无变化"
    ERROR = "error", "有错误"
    DUPLICATE = "duplicate", "文件内重复"


class StagedRow(models.Model):
    """暂存行 — one data row of the file: its cells as sent, the normalised values, the class it
    fell into, the field-level diff and the issues found. Written in bulk (COPY on PostgreSQL)."""

    # No index of its own: the (batch, row_number) unique index leads with it. Every index is
    # written once per imported row, and this one served nothing the other does not.
    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows", db_index=False)
    row_number = models.PositiveIntegerField("Excel行号")
    key = models.CharField("识别码", max_length=64, blank=True)
    status = models.CharField("类别", max_length=16, choices=RowStatus.choices)
    has_warning = models.BooleanField("需人工判断", default=False)
    raw = models.JSONField("原始内容", default=list)
    values = models.JSONField("规范化值", default=dict)
    diff = models.JSONField("变化", default=dict, blank=True)
    issues = models.JSONField("问题", default=list, blank=True)
    target_id = models.BigIntegerField("平台记录ID", null=True, blank=True)
    territory_id_hint = models.BigIntegerField("属地ID", null=True, blank=True)
    first_row = models.PositiveIntegerField("首次出现行", null=True, blank=True)
    applied = models.BooleanField("已应用", default=False)

    class Meta:
        verbose_name = "暂存行"
        verbose_name_plural = "暂存行"
        ordering = ["batch", "row_number"]
        constraints = [models.UniqueConstraint(fields=["batch", "row_number"], name="surveys_row_unique")]
        indexes = [
            models.Index(fields=["batch", "key", "row_number"], name="surveys_row_key"),
            models.Index(fields=["batch", "status"], name="surveys_row_status"),
        ]

    def __str__(self) -> str:
        return f"第{self.row_number}行"


class VerificationTask(models.Model):
    """核实任务 — 分解: a new or changed row handed to the responsible street for an on-site check
    (铁脚板). The street confirms, corrects or rejects it."""

    class Status(models.TextChoices):
        PENDING = "pending", "待核实"
        CONFIRMED = "confirmed", "核实无误"
        CORRECTED = "corrected", "已更正"
        REJECTED = "rejected", "不予采纳"
        # The row was written without the street's decision (写入全部无问题的行, a later batch):
        # nothing is left to verify, so the task leaves the street's inbox.
        WRITTEN = "written", "已写入"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="tasks")
    row = models.OneToOneField(StagedRow, on_delete=models.CASCADE, related_name="task")
    territory = models.ForeignKey(
        "organizations.Territory",
        verbose_name="负责街道",
        on_delete=models.PROTECT,
        related_name="survey_tasks",
        db_index=False,  # the inbox index (territory, status) leads with it
    )
    status = models.CharField("状态", max_length=16, choices=Status.choices, default=Status.PENDING)
    note = models.TextField("核实说明", blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="核实人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("核实时间", null=True, blank=True)
    created_at = models.DateTimeField("下发时间", auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory")

    class Meta:
        verbose_name = "核实任务"
        verbose_name_plural = "核实任务"
        ordering = ["status", "batch_id", "row__row_number"]
        indexes = [models.Index(fields=["territory", "status"], name="surveys_task_inbox")]

    def __str__(self) -> str:
        return f"批次#{self.batch_id} 第{self.row.row_number}行"


class Lineage(models.Model):
    """来源记录 — which file and row created or updated a record. Generic, so the apps below
    need no new fields."""

    class Action(models.TextChoices):
        CREATED = "created", "新增"
        UPDATED = "updated", "更新"

    # The (content_type, object_id) index leads with it.
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, db_index=False)
    object_id = models.BigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    batch = models.ForeignKey(ImportBatch, on_delete=models.PROTECT, related_name="lineage")
    row_number = models.PositiveIntegerField("Excel行号")
    file_hash = models.CharField("文件SHA-256", max_length=64)
    action = models.CharField("操作", max_length=16, choices=Action.choices)
    fields = models.JSONField("更新字段", default=list, blank=True)
    created_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = "来源记录"
        verbose_name_plural = "来源记录"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="surveys_lineage_record")]

    def __str__(self) -> str:
        return f"批次#{self.batch_id} 第{self.row_number}行"


class ValueMapping(models.Model):
    """取值对应 — a word a source department writes in a choice column, mapped once by an officer to
    the portal's value (直播电商 → 网络直播与电商) and applied to every later batch from that source.

    Placed where it was made (the batch's territory and source body), so a district's mappings are
    its own and the municipal committee sees them all."""

    kind = models.CharField("导入类别", max_length=16, choices=Kind.choices)
    source = models.CharField("来源部门", max_length=100, blank=True, help_text="与批次的来源部门一致，如 市场监管局")
    field = models.CharField("字段", max_length=32)
    value = models.CharField("文件中的写法", max_length=100, help_text="按半角、去多余空格比较")
    target = models.CharField("对应取值", max_length=32, help_text="平台中的取值（存储值）")
    territory = models.ForeignKey(
        "organizations.Territory", verbose_name="辖区", on_delete=models.PROTECT, related_name="+"
    )
    source_body = models.ForeignKey(
        "organizations.Body", verbose_name="来源机构", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="设置人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = ScopeSpec(territory="territory", body="source_body")

    class Meta:
        verbose_name = "取值对应"
        verbose_name_plural = "取值对应"
        ordering = ["kind", "source", "field", "value"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "source", "field", "value"], name="surveys_mapping_unique")
        ]

    def __str__(self) -> str:
        return f"{self.source or '（未填来源）'}：{self.value} → {self.target_label}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from surveys.specs import SPECS

        spec = SPECS.get(self.kind)
        spec_field = spec.field(self.field) if spec else None
        if spec_field is None or spec_field.choice is None:
            names = sorted({f"{f.name}（{f.label}）" for f in (spec.fields if spec else []) if f.choice})
            raise ValidationError({"field": f"请填写选项列的字段名，可选：{'、'.join(names)}"})
        choices = spec_field.choice.choices()
        if self.target not in choices:
            labels = "、".join(f"{value}（{label}）" for value, label in choices.items())
            raise ValidationError({"target": f"请填写{spec_field.label}的取值，可选：{labels}"})

    @property
    def field_label(self) -> str:
        from surveys.specs import SPECS

        spec_field = SPECS[self.kind].field(self.field) if self.kind in SPECS else None
        return spec_field.label if spec_field else self.field

    @property
    def target_label(self) -> str:
        from surveys.specs import SPECS

        spec_field = SPECS[self.kind].field(self.field) if self.kind in SPECS else None
        if spec_field and spec_field.choice:
            return spec_field.choice.choices().get(self.target, self.target)
        return self.target
