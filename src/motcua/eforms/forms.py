"""Server-side rendering of a declaration: one Django form per step, built from the schema.

Every input has its label, `aria-describedby` pointing at its help and its errors, the
`inputmode` and `autocomplete` a phone keyboard needs. A field filled from a source is marked
with where it came from; a locked one (identity from VNeID, registry data the citizen cannot
correct here) is read-only, and a changed value posted anyway is refused by `engine.validate`.
Conditional fields carry their condition as `data-when` (static/eforms/eforms.js hides them
while it does not hold; without JavaScript they show and their answers are ignored).

Use: `form = StepForm(schema, "me", prefilled=..., answers=..., data=request.POST or None)`;
`form.is_valid()`; `form.answers()` gives the step's answers merged into the others;
templates `eforms/_step.html` (include with `form`) render it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from motcua.core.forms import LATEST_DATE

from . import engine
from .schema import prefill_keys, prefill_keys_by, step_of

SOURCE_LABELS = (
    ("identity.", _("Lấy từ VNeID")),
    ("registry.", _("Lấy từ CSDL dân cư")),
    ("document.", _("Lấy từ giấy tờ của bạn")),
    ("previous.", _("Lấy từ hồ sơ trước của bạn")),
)
_AUTOCOMPLETE = {
    "identity.full_name": "name",
    "identity.birthdate": "bday",
    "identity.sex": "sex",
    "identity.address": "street-address",
}


def source_label(field: dict) -> str:
    """'Lấy từ CSDL dân cư / VNeID'-like mark of where a prefilled value came from."""
    spec = field.get("prefill")
    if spec is None:
        return ""
    keys = [k for k in prefill_keys(spec) if k != prefill_keys_by(spec)]
    labels: list[str] = []
    for prefix, label in SOURCE_LABELS:
        if any(k.startswith(prefix) for k in keys) and str(label) not in labels:
            labels.append(str(label))
    if not labels and isinstance(spec, dict):
        labels.append(str(_("Điền sẵn theo thông tin VNeID")))  # chosen by a claim, editable
    # "Lấy từ CSDL dân cư / VNeID": one mark when both kinds of source may fill it
    return " / ".join(labels).replace(" / Lấy từ ", " / ")


def _widget(field: dict, locked: bool) -> forms.Widget:
    kind = field["type"]
    spec = field.get("prefill")
    autocomplete = _AUTOCOMPLETE.get(spec, "off") if isinstance(spec, str) else "off"
    attrs: dict[str, Any] = {"autocomplete": autocomplete}
    if locked:
        attrs.update({"readonly": True, "aria-readonly": "true"})
    rules = field.get("validation", {})
    if kind == "textarea":
        return forms.Textarea(
            attrs={**attrs, "rows": 3, "maxlength": rules.get("max_length", 2000)}
        )
    if kind == "date":
        return forms.DateInput(
            attrs={
                **attrs,
                "type": "date",
                "min": engine.EARLIEST_DATE.isoformat(),
                "max": LATEST_DATE.isoformat(),
            },
            format="%Y-%m-%d",
        )
    if kind == "citizen_id":
        return forms.TextInput(
            attrs={**attrs, "inputmode": "numeric", "maxlength": 15, "spellcheck": "false"}
        )
    if kind == "phone":
        return forms.TextInput(
            attrs={**attrs, "type": "tel", "inputmode": "tel", "autocomplete": "tel"}
        )
    if kind == "email":
        return forms.EmailInput(attrs={**attrs, "inputmode": "email", "autocomplete": "email"})
    if kind == "integer":
        return forms.TextInput(attrs={**attrs, "inputmode": "numeric", "pattern": "[0-9]*"})
    if kind == "choice":
        choices = [(c, c) for c in field["choices"]]
        if len(choices) <= 6:
            return forms.RadioSelect(choices=choices)
        return forms.Select(choices=[("", _("— Chọn —")), *choices])
    if kind == "bool":
        return forms.CheckboxInput()
    return forms.TextInput(attrs={**attrs, "maxlength": rules.get("max_length", 500)})


class StepForm(forms.Form):
    """The fields of one step; validation is `engine.validate` (one rule for every channel)."""

    def __init__(
        self,
        schema: Any,
        step_key: str,
        *,
        prefilled: Mapping[str, Any] | None = None,
        answers: Mapping[str, Any] | None = None,
        data=None,
        prefix: str | None = None,
    ):
        self.definition = engine.definition_of(schema)
        step = step_of(self.definition, step_key)
        if step is None:
            raise KeyError(step_key)
        self.step = step
        self.prefilled = dict(prefilled or {})
        self.saved = dict(answers or {})
        self.locked = engine.locked_fields(self.definition, self.prefilled)
        initial = {**self.prefilled, **self.saved}
        for name in self.locked:
            initial[name] = self.prefilled[name]
        super().__init__(data=data, initial=initial, prefix=prefix)
        self.specs: dict[str, dict] = {}
        for field in step["fields"]:
            name = field["name"]
            locked = name in self.locked
            self.specs[name] = field
            if field["type"] == "bool":
                form_field: forms.Field = forms.BooleanField(
                    label=field["label"], required=False, widget=_widget(field, locked)
                )
            else:
                form_field = forms.CharField(
                    label=field["label"], required=False, widget=_widget(field, locked), strip=True
                )
            form_field.disabled = locked and field["type"] in engine.PICKED_TYPES
            form_field.help_text = field.get("help", "")
            self.fields[name] = form_field

    def _posted(self) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, field in self.fields.items():
            if field.disabled:
                values[name] = self.get_initial_for_field(field, name)
            else:
                values[name] = field.widget.value_from_datadict(
                    self.data, self.files, self.add_prefix(name)
                )
        return values

    def answers(self) -> dict[str, Any]:
        """Every answer so far with this step's posted values in place of the saved ones."""
        merged = {**self.prefilled, **self.saved}
        if self.is_bound:
            merged.update(self._posted())
        return merged

    def clean(self):
        cleaned = super().clean()
        problems = engine.validate(
            self.definition, self.answers(), step=self.step["key"], prefilled=self.prefilled
        )
        for name, messages in problems.items():
            for message in messages:
                self.add_error(name, message)
        return cleaned

    def step_answers(self) -> dict[str, Any]:
        """This step's answers in their stored form (call after is_valid())."""
        cleaned = engine.clean(self.definition, self.answers())
        return {k: v for k, v in cleaned.items() if k in self.fields}

    def rows(self) -> list[dict[str, Any]]:
        """What the template renders per field, ARIA links included."""
        visible = set(engine.visible_fields(self.definition, self.answers()))
        out = []
        for name, field in self.fields.items():
            spec = self.specs[name]
            bound = self[name]
            described = []
            help_id = f"{bound.auto_id}_help"
            error_id = f"{bound.auto_id}_errors"
            if spec.get("help"):
                described.append(help_id)
            locked = name in self.locked
            if locked or (spec.get("prefill") and self.prefilled.get(name) is not None):
                described.append(f"{bound.auto_id}_source")
            if bound.errors:
                described.append(error_id)
                field.widget.attrs["aria-invalid"] = "true"
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)
            if spec.get("required"):
                field.widget.attrs["aria-required"] = "true"
            prefilled = spec.get("prefill") is not None and not engine.is_empty(
                self.prefilled.get(name)
            )
            out.append(
                {
                    "bound": bound,
                    "spec": spec,
                    "help_id": help_id,
                    "error_id": error_id,
                    "locked": locked,
                    "source": source_label(spec) if prefilled else "",
                    "required": bool(spec.get("required")),
                    "when": json.dumps(spec["when"], ensure_ascii=False) if "when" in spec else "",
                    "hidden": name not in visible,
                    "group": spec["type"] in ("choice", "bool")
                    and isinstance(field.widget, forms.RadioSelect),
                }
            )
        return out
