"""`{% receipts_of dossier user as rows %}`: a dossier's receipts for the pages that show
them (the counter's fee page, the citizen's pay page and "Hồ sơ của tôi"), each with
`can_void` for a manager of its unit."""

from django import template

from motcua.accounts.models import Role
from motcua.accounts.scoping import roles_of
from motcua.payments.receipts import of_dossier

register = template.Library()


@register.simple_tag
def receipts_of(dossier, user=None):
    rows = list(of_dossier(dossier.pk))
    for row in rows:
        row.can_void = (
            row.status == "valid"
            and user is not None
            and getattr(user, "is_staff_member", False)
            and Role.MANAGER in roles_of(user, row.unit_id)
        )
    return rows
