from django.contrib import admin

from motcua.core.admin_base import ReadOnlyMixin
from motcua.core.admin_scope import SuperuserOnlyAdmin

from .models import CitizenIdentity


@admin.register(CitizenIdentity)
class CitizenIdentityAdmin(ReadOnlyMixin, SuperuserOnlyAdmin, admin.ModelAdmin):
    """Read-only: identities come from the provider at each sign-in, never typed in."""

    list_display = ("full_name", "identity_level", "issuer", "last_signed_in_at")
    list_filter = ("identity_level",)
    search_fields = ("citizen_id",)
    readonly_fields = [f.name for f in CitizenIdentity._meta.fields]
