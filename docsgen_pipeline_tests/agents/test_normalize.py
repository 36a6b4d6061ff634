"""Model output is cleaned before checks: fences, chatter, reasoning blocks, cut-off fences."""

from __future__ import annotations

import pytest

from docsgen_pipeline.agents.normalize import normalize_markdown


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("```markdown\n# T\n\nBody.\n```", "# T\n\nBody.\n"),
        ("Here is the file:\n\n```md\n# T\n\n```py\nx = 1\n```\n```\n\nHope this helps!", "# T\n\n```py\nx = 1\n```\n"),
        ("<think>plan the doc</think>\n# T\nBody.", "# T\nBody.\n"),
        ("Sure.\n# T\nBody.\n\nLet me know if you want changes.\n", "# T\nBody.\n"),
        ("# T\n\n```bash\nmake", "# T\n\n```bash\nmake\n```\n"),
        ("# T\r\n\r\nBody.   \r\n", "# T\n\nBody.\n"),
        ("# T\n\n```python\ncode\n```\n", "# T\n\n```python\ncode\n```\n"),
        ("   \n", ""),
    ],
)
def test_normalize(raw: str, expected: str) -> None:
    assert normalize_markdown(raw) == expected
