"""The Typer command line: a thin shell over `AssistantService`.

`commands` defines the commands and their flags; `console` is the edge where core errors become messages and
exit codes; `render` prints results; `progress` draws indexing progress.

Exit codes: 0 success; 1 error (nothing or not everything could be done);
2 usage error; 3 indexing finished but some files failed.
"""

from assistant.cli.commands import app, main

__all__ = ["app", "main"]
