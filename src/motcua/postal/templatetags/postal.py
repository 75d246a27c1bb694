from django import template

from motcua.postal import services
from motcua.postal.models import Consignment

register = template.Library()


@register.inclusion_tag("postal/_panel.html", takes_context=True)
def postal_panel(context, dossier):
    """The dossier page's postal part: the consignment, or the hand-over form when offered."""
    request = context.get("request")
    consignment = Consignment.objects.filter(dossier_id=dossier.pk).first()
    user = getattr(request, "user", None)
    offer = consignment is None and services.refusal(user, dossier) is None
    tariff = services.tariff_for(dossier.receiving_unit_id) if offer else None
    return {
        "dossier": dossier,
        "consignment": consignment,
        "offer": offer,
        "tariff": tariff,
        "address": services.requested_address(dossier) if offer else "",
        "csrf_token": context.get("csrf_token"),
        "may_follow_up": consignment is not None and user is not None,
    }


@register.inclusion_tag("postal/_citizen.html")
def postal_status(code: str):
    """The citizen's view (by the dossier's code): the tracking number and the post's status."""
    return {"consignment": Consignment.objects.filter(dossier__code=code).first()}


@register.inclusion_tag("postal/_fee.html")
def postal_fee(unit):
    """The postal fee shown up front where the applicant chooses delivery by post."""
    return {"tariff": services.tariff_for(unit)}
