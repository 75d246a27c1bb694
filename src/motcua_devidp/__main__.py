"""`python -m motcua_devidp COMMAND`: the provider's manage.py (migrate, seed_devidp, ...)."""

import os
import sys

from django.core.management import execute_from_command_line


def main() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "motcua_devidp.settings"  # never motcua's
    execute_from_command_line([sys.argv[0], *sys.argv[1:]])


if __name__ == "__main__":
    main()
