from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostsimConfig(AppConfig):
    name = "motcua.postsim"
    label = "postsim"
    verbose_name = _("Bưu chính giả lập (phát triển, kiểm thử)")
