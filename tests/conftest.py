"""Shared pytest options: --update-golden rewrites the golden files from the current output."""


def pytest_addoption(parser):
    parser.addoption(
        "--update-golden", action="store_true", default=False,
        help="rewrite tests/golden/* from the current output (review the diff before committing)",
    )
