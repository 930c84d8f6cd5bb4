from django import forms
from django.conf import settings

from surveys.models import Kind, StagedRow
from surveys.selectors import MASKS
from surveys.specs import SPECS

ALLOWED_SUFFIXES = (".xlsx", ".xls", ".csv", ".txt", ".tsv")


def max_upload_bytes() -> int:
    return settings.SURVEY_MAX_UPLOAD_MB * 1024 * 1024


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="导入类别", choices=Kind.choices)
    source = forms.CharField(label="来源部门", max_length=100, required=False, help_text="如 市场监管局、邮政管理局")
    full_list = forms.BooleanField(
        label="这是全量清单", required=False, help_text="勾选后，平台有而文件中没有的记录会被列出（不会删除）"
    )
    file = forms.FileField(label="文件", help_text="Excel（.xlsx/.xls）或 CSV（UTF-8、GBK 均可），表头上方可有标题行")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(ALLOWED_SUFFIXES):
            raise forms.ValidationError("只支持 Excel（.xlsx/.xls）和 CSV 文件")
        if upload.size > max_upload_bytes():
            raise forms.ValidationError(f"文件超过 {max_upload_bytes() // 1024 // 1024} MB")
        if upload.size == 0:
            raise forms.ValidationError("文件为空")
        return upload


class CorrectionForm(forms.Form):
    """One text input per column the file had, prefilled with the row's cells."""

    note = forms.CharField(label="核实说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, row: StagedRow, batch, **kwargs):
        super().__init__(*args, **kwargs)
        spec = SPECS[batch.kind]
        self.field_names = []
        self.masked: set[str] = set()
        for column in sorted(batch.columns, key=lambda c: c["index"]):
            name = column["field"]
            if not name or spec.field(name) is None:
                continue
            raw = row.raw[column["index"]] if column["index"] < len(row.raw) else ""
            label = f"{column['title']}（{column['letter']}列）"
            mask = MASKS.get(batch.kind, {}).get(name)
            if mask:
                # Sensitive values are not echoed back into the page: blank keeps what was sent.
                self.fields[f"f_{name}"] = forms.CharField(
                    label=label,
                    required=False,
                    max_length=200,
                    help_text="留空表示不修改",
                    widget=forms.TextInput(attrs={"placeholder": mask(raw), "autocomplete": "off"}),
                )
                self.masked.add(name)
            else:
                self.fields[f"f_{name}"] = forms.CharField(label=label, required=False, initial=raw, max_length=200)
            self.field_names.append(name)
        self.order_fields([*(f"f_{n}" for n in self.field_names), "note"])

    def changes(self, row: StagedRow, batch) -> dict[str, str]:
        by_field = {c["field"]: c["index"] for c in batch.columns if c["field"]}
        changed = {}
        for name in self.field_names:
            col = by_field[name]
            old = row.raw[col] if col < len(row.raw) else ""
            new = self.cleaned_data.get(f"f_{name}", "")
            if name in self.masked and not new:
                continue
            if new != old:
                changed[name] = new
        return changed
