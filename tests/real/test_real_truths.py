"""pytest entry point for the real-derivation corpus: every header in tests/real/ must check out."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import verify_truths  # noqa: E402


def test_corpus_is_large_enough():
    files = verify_truths.corpus_files()
    assert len(files) >= 45, f"only {len(files)} documents"


def test_truths():
    failures = verify_truths.run(verbose=False)
    assert not failures, "\n".join(f"{name}: {'; '.join(msgs)}" for name, msgs in failures.items())
