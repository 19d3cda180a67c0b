"""Jinja for templates a flow author writes: Jinja's immutable sandbox, bounded.

A template is allowed under every ``--scripts`` policy, so it must reach nothing a ``script``
node would. Jinja's :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` refuses attributes
starting with ``_`` and Python's internal attributes (no ``__globals__``, ``__class__``,
``__subclasses__``...), checks ``str.format`` fields the same way, and refuses methods that
change lists, dicts and sets. On top of it, here:

- a refused attribute fails the message (the sandbox's default prints it as nothing);
- only the usual text methods of strings are offered (not ``translate``, ``expandtabs``);
- ``env`` is a view that reads variables by name, and lists nothing;
- every text, list and number a template makes is bounded before it is made: ``*``, ``**``,
  ``+``, ``%``, ``~``, widths in formats, ``center``/``ljust``/``rjust``/``zfill``, ``join``,
  ``replace``, the filters that grow their input, ``range`` and ``lipsum``; the output too.
  :data:`TEXT_LIMIT` characters (or items), numbers of :data:`INT_BITS` bits;
- macros recurse no deeper than Python's recursion limit allows;
- a rendering runs at most :data:`.deadline.EVALUATION_SECONDS` (see :func:`.deadline.within`).

Each limit fails the message with an error that names it; the flow goes on. jinja2 is imported
only by flows that use Jinja. The template node (core) and ui-template (dashboard) render through
it; each declares that it evaluates Jinja (``evaluates``), for the ``--scripts`` policy.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from flowrt.errors import NodeError
from flowrt.expressions.deadline import EVALUATION_SECONDS, within
from flowrt.types import Message

from .template_limits import (
    COUNT_LIMIT,
    INT_BITS,
    TEXT_LIMIT,
    TemplateLimit,
    bounded_filters,
    check_binop,
    check_call,
    check_format_spec,
    check_size,
)

if TYPE_CHECKING:
    import jinja2

Render = Callable[[Message], str]

__all__ = ["COUNT_LIMIT", "INT_BITS", "TEXT_LIMIT", "EnvView", "check_jinja", "compile_jinja"]

TEXT_METHODS = frozenset(
    "capitalize casefold center count decode encode endswith find format format_map hex index "
    "isalnum isalpha isascii isdecimal isdigit isidentifier islower isnumeric isprintable "
    "isspace istitle isupper join ljust lower lstrip partition removeprefix removesuffix "
    "replace rfind rindex rjust rpartition rsplit rstrip split splitlines startswith strip "
    "swapcase title upper zfill escape unescape striptags".split()
)
"""The methods of str and bytes a template may call."""


class EnvView:
    """A template's ``env``: ``env.NAME``, ``env['NAME']``, ``env.get('NAME', default)``.
    It reads one variable at a time and lists nothing."""

    __slots__ = ("_env",)

    def __init__(self, env: Mapping[str, Any]) -> None:
        self._env = env

    def get(self, name: str, default: Any = None) -> Any:
        return self._env.get(name, default)

    def __getitem__(self, name: str) -> Any:
        return self._env[name]

    def __contains__(self, name: object) -> bool:
        return name in self._env

    def __repr__(self) -> str:
        return "<environment>"


def _finalize(value: Any) -> Any:
    """How Jinja prints a value: objects and lists as JSON, booleans and null as in JSON."""
    if value is None:
        return ""
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, dict | list):
        text = json.dumps(value, ensure_ascii=False, default=str)
        check_size(len(text), "a printed value")
        return text
    return value


def _join_bounded(parts: Iterable[Any]) -> str:
    """``a ~ b`` and the output of a template, a macro or a block: at most TEXT_LIMIT."""
    out: list[str] = []
    size = 0
    for part in parts:
        text = part if type(part) is str else str(part)
        size += len(text)
        if size > TEXT_LIMIT:
            check_size(size, "the text of the template")
        out.append(text)
    return "".join(out)


def _range(*args: int) -> range:
    numbers = range(*args)
    check_size(len(numbers), "range()", COUNT_LIMIT)
    return numbers


@lru_cache(maxsize=1)
def jinja() -> jinja2.Environment:
    """The one sandboxed environment of flow templates, made on first use."""
    import jinja2
    from jinja2.compiler import CodeGenerator
    from jinja2.exceptions import SecurityError
    from jinja2.sandbox import ImmutableSandboxedEnvironment, SandboxedFormatter
    from jinja2.utils import generate_lorem_ipsum

    class Generator(CodeGenerator):
        def visit_Concat(self, node: Any, frame: Any) -> None:
            self.write("environment.join_bounded((")
            for arg in node.nodes:
                self.visit(arg, frame)
                self.write(", ")
            self.write("))")

    class Formatter(SandboxedFormatter):
        def format_field(self, value: Any, format_spec: str) -> Any:
            check_format_spec(format_spec)
            return super().format_field(value, format_spec)

    def lipsum(n: int = 5, html: bool = True, min: int = 20, max: int = 100) -> str:
        check_size(n * max, "lipsum()", COUNT_LIMIT)
        return str(generate_lorem_ipsum(n, html, min, max))

    class Environment(ImmutableSandboxedEnvironment):
        code_generator_class = Generator
        concat = staticmethod(_join_bounded)
        intercepted_binops = frozenset({"*", "**", "+", "%"})
        join_bounded = staticmethod(_join_bounded)

        def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
            if isinstance(obj, str | bytes | bytearray) and attr not in TEXT_METHODS:
                return False
            return bool(super().is_safe_attribute(obj, attr, value))

        def unsafe_undefined(self, obj: Any, attribute: str) -> Any:
            raise SecurityError(
                f"{type(obj).__name__}.{attribute} is not available in templates (no "
                "attribute starting with _, no Python internals)"
            )

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            check_binop(operator, left, right)
            result = super().call_binop(context, operator, left, right)
            if isinstance(result, str | list | tuple | bytes):
                check_size(len(result), f"the result of {operator}")
            return result

        def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:  # noqa: N805
            args = check_call(__obj, args, kwargs)
            return super().call(__context, __obj, *args, **kwargs)

        def wrap_str_format(self, value: Any) -> Any:
            wrapper = super().wrap_str_format(value)
            if wrapper is None:
                return None
            text, is_map = value.__self__, value.__name__ == "format_map"
            formatter = Formatter(self)

            def bounded(*args: Any, **kwargs: Any) -> str:
                if is_map:
                    kwargs, args = args[0], ()
                made = str(formatter.vformat(text, args, kwargs))
                check_size(len(made), "str.format()")
                return made

            return bounded if type(text) is str else wrapper

    env = Environment(
        autoescape=False,
        undefined=jinja2.ChainableUndefined,
        keep_trailing_newline=True,
        finalize=_finalize,
    )
    env.globals["range"] = _range
    env.globals["lipsum"] = lipsum
    env.filters.update(bounded_filters(env.filters))
    return env


def check_jinja(template: str) -> None:
    """Raise ValueError if the template does not parse."""
    import jinja2

    try:
        jinja().parse(template)
    except jinja2.TemplateSyntaxError as exc:
        raise ValueError(f"invalid Jinja template, line {exc.lineno}: {exc.message}") from None


def compile_jinja(template: str, names: dict[str, Any]) -> Render:
    """A Jinja template as a function of the message; a failure to render, or a limit hit, is
    a NodeError."""
    import jinja2

    render = jinja().from_string(template).render

    def run(msg: Message) -> str:
        try:
            return within(EVALUATION_SECONDS, "the Jinja template",
                          lambda: render({**msg, "msg": msg, **names}))
        except NodeError:
            raise
        except TemplateLimit as exc:
            raise NodeError(f"template stopped: {exc}") from None
        except RecursionError:
            raise NodeError(
                "template stopped: macros called each other deeper than the recursion limit"
            ) from None
        except jinja2.TemplateError as exc:
            raise NodeError(f"template failed: {exc}") from exc
        except Exception as exc:
            raise NodeError(f"template failed: {type(exc).__name__}: {exc}") from exc

    return run
