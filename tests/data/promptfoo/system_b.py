"""System B for the promptfoo fixtures: an `exec:` provider (promptfoo passes the prompt, the
provider options and the test context as arguments). It answers with the case's `alt` var and
fails, as a real provider does, on the cases marked `b_error`."""

import json
import sys

context = json.loads(sys.argv[3]) if len(sys.argv) > 3 else {}
variables = context.get("vars", {})
if variables.get("b_error"):
    sys.stderr.write("upstream model timed out after 30 s\n")
    sys.exit(1)
print(variables.get("alt") or sys.argv[1])
