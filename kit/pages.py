"""HTML page bodies from Jinja templates (kit/templates/pages/*.html.j2).

One environment for every phase's extra pages (playbooks, agent specifications, the policy
draft): autoescape is on, so every string from the client's data is escaped unless a template
marks it safe (none does); an undefined name is an error rather than an empty string; money and
numbers go through kit.text's filters (`money`, `number`, `share`), so a page writes a figure
the way every other deliverable does. Templates hold no scripts and link nothing external.
"""

from __future__ import annotations

import functools
from typing import Any

import jinja2

from kit import text


@functools.cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("kit", "templates/pages"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters.update(money=text.money, number=text.number, share=text.share)
    return env


def render(template: str, **context: Any) -> str:
    """The body rendered from `kit/templates/pages/<template>` (trusted HTML: data escaped)."""
    return environment().get_template(template).render(**context)
