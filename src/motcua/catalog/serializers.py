"""Serializers of the public, read-only catalog API (published procedures only)."""

from rest_framework import serializers

from .models import Component, Fee, Field, FormTemplate, Procedure, ProcessStep


class FieldSerializer(serializers.ModelSerializer):
    published_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Field
        fields = ["code", "name", "published_count"]


class UnitRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class FieldRefSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class FeeSerializer(serializers.ModelSerializer):
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    channel_display = serializers.CharField(source="get_channel_display", read_only=True)

    class Meta:
        model = Fee
        fields = [
            "kind",
            "kind_display",
            "amount_vnd",
            "channel",
            "channel_display",
            "condition",
            "case",
            "legal_basis",
            "valid_from",
            "valid_to",
        ]


class ComponentSerializer(serializers.ModelSerializer):
    form_display = serializers.CharField(source="get_form_display", read_only=True)

    class Meta:
        model = Component
        fields = [
            "order",
            "name",
            "form",
            "form_display",
            "count",
            "note",
            "from_state_data",
            "from_warehouse",
            "condition",
        ]


class StepSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProcessStep
        fields = ["order", "name", "department_kind", "days"]


class FormTemplateSerializer(serializers.ModelSerializer):
    file = serializers.FileField(use_url=True, read_only=True)

    class Meta:
        model = FormTemplate
        fields = ["title", "file", "url"]


class ProcedureListSerializer(serializers.ModelSerializer):
    field = FieldRefSerializer(read_only=True)
    unit = UnitRefSerializer(read_only=True)
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    online_mode_display = serializers.CharField(source="get_online_mode_display", read_only=True)
    url = serializers.HyperlinkedIdentityField(view_name="api:procedure-detail")

    class Meta:
        model = Procedure
        fields = [
            "id",
            "url",
            "code",
            "name",
            "field",
            "unit",
            "level",
            "level_display",
            "online_mode",
            "online_mode_display",
            "processing_days",
            "online_processing_days",
            "time_unit",
            "updated_at",
        ]


class ProcedureDetailSerializer(ProcedureListSerializer):
    legal_basis = serializers.ListField(
        source="legal_basis_lines", child=serializers.CharField(), read_only=True
    )
    fees = FeeSerializer(many=True, read_only=True)
    components = ComponentSerializer(many=True, read_only=True)
    steps = StepSerializer(many=True, read_only=True)
    forms = FormTemplateSerializer(many=True, read_only=True)

    class Meta(ProcedureListSerializer.Meta):
        fields = [
            *ProcedureListSerializer.Meta.fields,
            "competent_agency",
            "implementing_agency",
            "online_mode_reason",
            "processing_time_note",
            "result_type",
            "requirements",
            "legal_basis",
            "fees",
            "components",
            "steps",
            "forms",
        ]
