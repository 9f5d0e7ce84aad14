#!/usr/bin/env python
"""Django's command-line utility, with connection failures reported in one line."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    from tracker.preflight import run_reporting_service_errors

    run_reporting_service_errors(sys.argv)


if __name__ == "__main__":
    main()
