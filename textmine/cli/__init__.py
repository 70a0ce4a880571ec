"""The `textmine` command line.

Core commands live in this package (run, ingest, extract in `run.py`; search and export in
`search.py`; stats, failures, properties, pipelines in `info.py`). Every other command comes from
the command registry (`textmine.registry.commands`: harvest, ner, train, evaluate, ... and any
plugin's entry point in the `textmine.commands` group) and is imported only when it is used.
"""

from __future__ import annotations

import click

from textmine import __version__
from textmine.cli._common import AppContext
from textmine.store import DEFAULT_DB


class PluginGroup(click.Group):
    """The main group: core commands defined here, the others from the command registry."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        from textmine.registry import commands

        return sorted({*super().list_commands(ctx), *commands.names()})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is not None:
            return command
        from textmine.registry import commands

        if name not in commands:
            return None
        return commands.get(name)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from textmine.registry import commands

        rows = []
        for name in self.list_commands(ctx):
            command = super().get_command(ctx, name)
            help_text = command.get_short_help_str(limit=70) if command is not None else commands.help(name)
            rows.append((name, help_text))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=PluginGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="textmine")
@click.option("--db", "db", type=click.Path(dir_okay=False), default=None, help=f"SQLite database file [default: ./{DEFAULT_DB}]")
@click.option("--store", "store", default=None, envvar="TEXTMINE_STORE", help="store URL: sqlite:///path.db or es://host:9200")
@click.option("-q", "--quiet", is_flag=True, help="no progress bars")
@click.pass_context
def main(ctx: click.Context, db: str | None, store: str | None, quiet: bool) -> None:
    """Turn materials-science papers and patents into searchable property records."""
    if db and store:
        raise click.UsageError("give either --db or --store, not both")
    ctx.obj = AppContext(store_url=store or db or DEFAULT_DB, quiet=quiet)


from textmine.cli import info, run, search  # noqa: E402  (core commands register on `main`)

__all__ = ["main", "AppContext", "PluginGroup", "info", "run", "search"]
