"""The ``minigrad`` command: ``minigrad demo``, ``train``, ``predict``, ``race``, ``sample``.

Each subcommand is a module here exposing ``HELP`` (one line), ``add_arguments(parser)``
and ``run(args) -> int``. Subcommand modules import only argparse-level things at the top;
the heavy imports happen inside ``run`` so ``minigrad --help`` is instant.

User errors are one line (``minigrad <cmd>: error: ...``, exit status 2), found before any work
starts wherever they can be (paths, formats, ranges): never a traceback after a long run.
"""
import argparse
import importlib
import os
import sys

SUBCOMMANDS = ("demo", "train", "predict", "race", "sample")


class CLIError(Exception):
    """A user error: printed as one line ``minigrad <cmd>: error: ...``, exit status 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        # One line, no usage dump: the message already names the valid choices.
        self.exit(2, f"{self.prog}: error: {message}\n")


class _HelpFormatter(argparse.HelpFormatter):
    """Appends ``(default: X)`` to an option's help unless the help already says it, or the
    default is None or False (an unset option, a flag)."""

    def _get_help_string(self, action):
        text = action.help or ""
        unset = action.default is None or action.default is False
        if ("default" in text or unset or action.default == argparse.SUPPRESS
                or not action.option_strings):
            return text
        return f"{text} (default: %(default)s)"


def hidden_alias(parser, old, dest, **kwargs):
    """Accept ``old`` as a former spelling of the option stored in ``dest``, without listing it
    in ``--help``."""
    parser.add_argument(old, dest=dest, help=argparse.SUPPRESS, default=argparse.SUPPRESS,
                        **kwargs)


def build_parser():
    from .. import __version__

    parser = _Parser(prog="minigrad", description="minigrad: autograd and optimizers on numpy.",
                     formatter_class=_HelpFormatter)
    parser.add_argument("--version", action="version", version=f"minigrad {__version__}",
                        help="print the version and exit")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in SUBCOMMANDS:
        module = importlib.import_module(f"minigrad.cli.{name}")
        p = sub.add_parser(name, help=module.HELP, description=module.HELP,
                           formatter_class=_HelpFormatter)
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
        code = int(args._run(args) or 0)
        sys.stdout.flush()  # here, where a closed pipe can still be handled
        return code
    except CLIError as e:
        print(f"minigrad {args.command}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader left (`minigrad race --list | head -1`): stop quietly. stdout goes to
        # /dev/null so the interpreter's final flush does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # as a process ended by SIGPIPE
