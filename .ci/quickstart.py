"""Print one of the README's two Quick start commands: `sample` (first) or `test` (second)."""

import re
import sys
from pathlib import Path

readme = Path(__file__).resolve().parent.parent / "README.md"
text = readme.read_text(encoding="utf-8")
section = text.split("## Quick start", 1)[1]
block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
lines = [ln for ln in block.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
if len(lines) != 2:
    sys.exit(f"README Quick start must hold exactly two command lines, found {len(lines)}")
print(lines[0] if sys.argv[1:] == ["sample"] else lines[1])
