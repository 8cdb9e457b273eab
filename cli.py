"""unrolled's command line: parse, validate, build a config, call ``rnn`` and ``scenes``.

Each family of commands lives in ``commands/``; this module only gathers them into one group.
"""

from __future__ import annotations

import click

from commands.common import OneLineErrors
from commands.engine import gradcheck, trace, train
from commands.explore import explore
from commands.output import figures, list_scenes, render, slides


@click.group(cls=OneLineErrors, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="unrolled")
def cli():
    """unrolled: see how recurrent networks learn, with real numbers."""


for command in (trace, gradcheck, train, explore, list_scenes, render, figures, slides):
    cli.add_command(command)


def main() -> None:
    cli(prog_name="unrolled")


if __name__ == "__main__":
    main()
