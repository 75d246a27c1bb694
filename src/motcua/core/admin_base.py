"""Pieces every admin screen of the project shares (no registration here: the admin site
class imports this module while it is being built)."""

from django.core.exceptions import FieldDoesNotExist, ValidationError


class PrefillFromQueryMixin:
    """The admin's add form takes `?field=value` as a prefill; a value the field cannot hold
    (`?unit=abc`, an id beyond bigint) made Django look it up anyway and answer 500. Such
    values are dropped, so the form opens empty for that field."""

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        for name, value in list(initial.items()):
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            target = getattr(field, "target_field", field) if field.is_relation else field
            try:
                for item in value if isinstance(value, list) else [value]:
                    target.run_validators(target.to_python(item))  # bigint range too
            except (ValidationError, ValueError, TypeError):
                del initial[name]
        return initial


class ReadOnlyMixin:
    """Everything visible, nothing added, changed or deleted: for ledgers and histories (events,
    payments, notifications, lookups) whose rows are evidence written only by the services."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
