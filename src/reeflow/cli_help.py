"""The command line's help and its lazy sub-commands (argparse only: imports no room).

- :class:`HelpFormatter`: descriptions keep their line breaks, every option with a default
  shows it (``(default: 45.0)``; flags and ``None`` defaults show nothing), and the
  ``Examples`` epilog is printed as written.
- :class:`LazySubParsers`: a sub-command registered with :meth:`LazySubParsers.add_lazy` is a
  stub (its name and one-line help) until it is parsed; then its loader runs, the room's
  command module registers the real parser, and parsing goes on with it. ``reeflow --help``
  therefore imports no room, and ``reeflow pit ...`` imports only the mine room.
- :func:`command_epilog`: the ``Examples`` of a command, from
  :data:`reeflow.example_inputs.COMMANDS` (the lines of ``commands.txt``, with ``builtin:``
  names so that they run from any folder).
"""

from __future__ import annotations

import argparse
import copy
import importlib
from collections.abc import Callable
from typing import Any

__all__ = ["HelpFormatter", "LazySubParsers", "command_epilog", "decorate", "load_callable"]


class HelpFormatter(argparse.RawDescriptionHelpFormatter):
    """Raw descriptions and epilogs, with each option's default appended to its help."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 28,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position, width)

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        return f"{text} (default: %(default)s)".lstrip() if _shows_default(action, text) \
            else action.help

    def _format_action(self, action: argparse.Action) -> str:
        if action.help is None and _shows_default(action, ""):
            action = copy.copy(action)
            action.help = ""  # _get_help_string adds the default
            out = super()._format_action(action)
            return out if "(default:" in out else out.rstrip("\n") + \
                f"  (default: {action.default})\n"
        return super()._format_action(action)


def _shows_default(action: argparse.Action, text: str) -> bool:
    """Whether the help of ``action`` should show its default (not for flags, None defaults,
    help actions or help that already states it)."""
    return (action.default not in (None, False, argparse.SUPPRESS) and "default" not in text
            and not isinstance(action, argparse._HelpAction | argparse._VersionAction)
            and bool(action.option_strings or action.nargs in ("?", "*")))


def command_epilog(prog: str) -> str | None:
    """``Examples:`` lines of the command ``prog`` (``"reeflow pit"``), or None."""
    from reeflow.example_inputs import help_examples

    command = prog.removeprefix("reeflow").strip()
    if not command:
        return None
    lines = help_examples(command)
    if not lines:
        return None
    return "examples:\n" + "\n".join(f"  {line}" for line in lines) + \
        "\n\n(`reeflow examples --copy DIR` copies every example input and a commands.txt)"


def decorate(parser: argparse.ArgumentParser) -> None:
    """Give a room's parser (and its sub-commands' parsers, whatever class the room used) the
    help habits of every reeflow command: defaults shown, ``Examples`` as the epilog."""
    if parser.formatter_class in (argparse.HelpFormatter, argparse.RawDescriptionHelpFormatter):
        parser.formatter_class = HelpFormatter
    if parser.epilog is None:
        parser.epilog = command_epilog(parser.prog)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                decorate(sub)


def load_callable(spec: str) -> Callable[..., Any]:
    """``"pkg.module"`` -> its ``register``; ``"pkg.module:function"`` -> that function."""
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name or "register")  # type: ignore[no-any-return]


class _Collector:
    """Stands in for the sub-parsers object while a room's ``register`` runs: builds each parser
    it asks for (with the right ``prog``) and keeps it, without listing it a second time."""

    def __init__(self, action: LazySubParsers) -> None:
        self.action = action
        self.parsers: dict[str, argparse.ArgumentParser] = {}
        self.helps: dict[str, str | None] = {}

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        self.helps[name] = kwargs.pop("help", None)
        kwargs.pop("aliases", None)
        kwargs.setdefault("prog", f"{self.action._prog_prefix} {name}")
        parser = self.action._parser_class(**kwargs)
        self.parsers[name] = parser
        return parser


class LazySubParsers(argparse._SubParsersAction):
    """Sub-parsers whose commands may be loaded on first use (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._lazy: dict[str, str] = {}

    def add_lazy(self, name: str, loader: str, help: str) -> None:
        """List ``name`` with its one-line ``help``; ``loader`` registers it when it is used."""
        self.add_parser(name, help=help, add_help=False)
        self._lazy[name] = loader

    def load(self, name: str) -> dict[str, str | None]:
        """Run the loader of ``name`` (once) and put the parsers it registers in place; returns
        the help text each registered command was given."""
        loader = self._lazy.pop(name, None)
        if loader is None:
            return {}
        collector = _Collector(self)
        load_callable(loader)(collector)
        for command, parser in collector.parsers.items():
            decorate(parser)
            self._name_parser_map[command] = parser
            self._lazy.pop(command, None)
        return collector.helps

    def load_all(self) -> dict[str, str | None]:
        """Load every lazy command (shell completion and the help-consistency test need it)."""
        helps: dict[str, str | None] = {}
        while self._lazy:
            helps.update(self.load(next(iter(self._lazy))))
        return helps

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: Any, option_string: str | None = None) -> None:
        if values:
            self.load(values[0])
        super().__call__(parser, namespace, values, option_string)
