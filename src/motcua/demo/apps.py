from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for `make run`: the Hải Phòng units, a demo commune, staff and catalog."""

    name = "motcua.demo"
    label = "demo"
    verbose_name = "Dữ liệu mẫu"
