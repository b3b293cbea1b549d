"""The ``minigrad`` command: ``minigrad demo``, ``minigrad train``, ``minigrad race``,
``minigrad sample``.

Each subcommand is a module here exposing ``HELP`` (one line), ``add_arguments(parser)``
and ``run(args) -> int``. Subcommand modules import only argparse-level things at the top;
the heavy imports happen inside ``run`` so ``minigrad --help`` is instant.
"""
import argparse
import importlib
import sys

SUBCOMMANDS = ("demo", "train", "race", "sample")


class CLIError(Exception):
    """A user error: printed as one line ``minigrad <cmd>: error: ...``, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # One line, no usage dump: the message already names the valid choices.
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser():
    parser = _Parser(prog="minigrad", description="minigrad: autograd and optimizers on numpy.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in SUBCOMMANDS:
        try:
            module = importlib.import_module(f"minigrad.cli.{name}")
        except ModuleNotFoundError as e:
            if e.name != f"minigrad.cli.{name}":
                raise
            continue  # subcommand not built yet
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.add_arguments(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv=None):
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except CLIError as e:
        print(f"minigrad {args.command}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
