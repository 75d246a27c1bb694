from django.apps import AppConfig


class DevIdpConfig(AppConfig):
    name = "motcua_devidp"
    label = "devidp"
    verbose_name = "Định danh điện tử (thử nghiệm)"
    default_auto_field = "django.db.models.BigAutoField"
