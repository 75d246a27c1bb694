from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default = True
    name = "motcua.accounts"
    label = "accounts"
    verbose_name = _("Tài khoản và phân quyền")


class StaffAdminConfig(admin_apps.AdminConfig):
    """Replaces `django.contrib.admin` in INSTALLED_APPS to put the admin behind staff sign-in."""

    default = False
    default_site = "motcua.accounts.admin_site.StaffAdminSite"
