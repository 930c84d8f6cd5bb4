#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    # Said plainly before an older Python fails on our syntax with a confusing traceback.
    if sys.version_info < (3, 11):  # noqa: UP036
        sys.exit(f"需要 Python 3.11 或更新版本（当前 {sys.version.split()[0]}）：Python 3.11 or newer is needed.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
