"""Navigation for the staff area, built from the roles the user holds."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from .models import Role

# (label, url name, roles that see it)
STAFF_MENU = [
    (_("Trang làm việc"), "accounts:home", None),
    (_("Thủ tục hành chính"), "catalog:staff_procedure_list", None),
    (
        _("Kiểm tra công khai"),
        "catalog:publicity_check",
        {Role.MANAGER, Role.ADMINISTRATOR, Role.LEADER},
    ),
    (_("Nhập/xuất danh mục"), "catalog:import", {Role.ADMINISTRATOR}),
    (_("Cán bộ"), "accounts:staff_list", {Role.MANAGER, Role.ADMINISTRATOR, Role.LEADER}),
    (_("Nhật ký thao tác"), "accounts:audit_list", {Role.MANAGER, Role.ADMINISTRATOR}),
]


def staff_navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not getattr(user, "is_staff_member", False):
        return {}
    from .scoping import roles_of

    roles = roles_of(user)
    items = []
    for label, url_name, allowed in STAFF_MENU:
        if allowed is not None and not (roles & {r.value for r in allowed}):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue
        items.append(
            {"label": label, "url": url, "active": request.path.startswith(url) and url != "/"}
        )
    return {"staff_menu": items, "staff_roles": roles}
