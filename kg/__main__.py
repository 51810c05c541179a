"""``python -m kg``: the ``kg`` command (see :func:`kg.cli.main`)."""

from kg.cli import main

if __name__ == "__main__":
    main()
