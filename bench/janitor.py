"""Drops a benchmark database if the benchmark dies without saying it is done.

python -m bench.janitor NAME    # stdin: the benchmark writes "done" before it exits
"""

import os
import sys


def main() -> int:
    name = sys.argv[1]
    said = sys.stdin.read()  # returns when the benchmark closes the pipe, or dies
    if said.strip() == "done":
        return 0
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    from bench.database import wait_until_dropped

    return 0 if wait_until_dropped(name, seconds=20) else 1


if __name__ == "__main__":
    sys.exit(main())
