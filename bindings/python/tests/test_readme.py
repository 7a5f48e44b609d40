"""The README's example, run as it is written against the test engine."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import BASE_IMAGE, ENGINE, RUN, pushed_image, tar_names, unique

README = Path(__file__).resolve().parent.parent / "README.md"


def test_the_readme_example_runs(client, cleanup, tmp_path):
    code = re.search(r"## Example.*?```python\n(.*?)```", README.read_text(), re.S).group(1)
    image = pushed_image(client, cleanup, "readme")
    tag = cleanup(f"{unique('readme-build')}:1")
    cleanup(image)
    context = tmp_path / "app"
    context.mkdir()
    (context / "Dockerfile").write_text(f"FROM {BASE_IMAGE}\nLABEL readme={RUN}\n")
    env = dict(os.environ, DOCKER_HOST=ENGINE, IMAGE=image, CONTEXT=str(context), TAG=tag)
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert f"pulled {image}" in done.stdout and "built sha256:" in done.stdout and "saved app.tar" in done.stdout
    assert "100% of" in done.stderr, "the progress bar reached its end"
    assert "manifest.json" in tar_names((tmp_path / "app.tar").read_bytes())
