"""The rule sentences kept in the cache folder (read without tomllib on later runs)."""

from __future__ import annotations

import shutil
import tomllib

import pytest

from symgrad.rendering import templates


@pytest.fixture
def sentences(tmp_path, monkeypatch):
    """A copy of the templates to edit, an empty cache folder, and the cached reader."""
    folder = tmp_path / "templates"
    shutil.copytree(templates.template_dir(), folder)
    monkeypatch.setattr(templates, "template_dir", lambda: folder)
    monkeypatch.setenv("SYMGRAD_CACHE", str(tmp_path / "cache"))

    def read():
        templates._sentences.cache_clear()
        return templates._sentences()

    yield folder / "sentences.toml", tmp_path / "cache", read
    templates._sentences.cache_clear()


def kept_files(cache):
    return sorted(p.name for p in cache.rglob("*") if p.is_file())


def test_the_cached_table_is_the_toml_table(sentences):
    source, cache, read = sentences
    truth = tomllib.loads(source.read_text(encoding="utf-8"))
    assert read() == truth and kept_files(cache) == ["sentences.marshal"]
    assert read() == truth  # from the cache this time


def test_an_edited_file_is_read_again(sentences):
    source, cache, read = sentences
    read()
    source.write_text(source.read_text(encoding="utf-8").replace(
        "Chain rule: multiply", "Chain rule (edited): multiply"), encoding="utf-8")
    assert read()["chain"]["text"].startswith("Chain rule (edited): multiply")


def test_a_damaged_cache_file_is_ignored_and_replaced(sentences):
    source, cache, read = sentences
    read()
    (kept,) = cache.rglob("sentences.marshal")
    kept.write_bytes(b"\x00garbage")
    assert read() == tomllib.loads(source.read_text(encoding="utf-8"))
    kept.write_bytes(b"")
    assert read()["rules"]["sum"].startswith("Sum rule")


def test_no_cache_when_it_is_off(sentences, monkeypatch):
    source, cache, read = sentences
    monkeypatch.setenv("SYMGRAD_CACHE", "off")
    assert read()["rules"]["sum"].startswith("Sum rule") and not cache.exists()
